/**
 * The durable outbox: domain events written in the same database transaction as the change they describe.
 * The relay publishes them to subscribers; nothing else reads this table for live delivery.
 */
import type { Prisma } from "../generated/prisma/client";

export type Tx = Prisma.TransactionClient;

export interface OutboxEventInput {
  type: string;
  aggregateType: string;
  aggregateId: string;
  merchantId: string | null;
  salesUnitId: string | null;
  payload: Prisma.InputJsonValue;
}

export async function appendOutbox(tx: Tx, event: OutboxEventInput): Promise<{ id: bigint }> {
  return tx.outboxEvent.create({ data: event, select: { id: true } });
}

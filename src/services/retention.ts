/**
 * The retention job: records that only make retries safe are kept for a bounded time, then deleted, so the tables
 * they live in stop growing with every payment.
 *
 * - An idempotency key's record (`IdempotencyRecord`) is kept for `IDEMPOTENCY_KEY_RETENTION_MS`, 7 days by
 *   default (Adyen's minimum; Stripe keeps 24 hours). Within it a retry with the key replays its first answer;
 *   after it the same key is a new request. Clients retry within minutes, so a week leaves a wide margin.
 * - A platform event's receipt (`PlatformEventReceipt`) is kept for 30 days. Replays are refused by the receipt
 *   while it exists. Events answer payment requests, which expire after 10 minutes: a payment a 30-day-old event
 *   names has long left the state the event acts on, so a replay is refused by the state machine instead.
 *
 * Audit events, operation history and outbox events are records of what happened and are not touched here.
 * Every instance runs the job (src/server.ts): each batch picks its rows with SKIP LOCKED, so two instances never
 * wait on each other, and a batch is small enough to hold no lock for long.
 */
import { Prisma } from "../generated/prisma/client";
import type { Services } from "../deps";

export const RETENTION_INTERVAL_MS = 15 * 60_000;
export const PLATFORM_EVENT_RECEIPT_RETENTION_MS = 30 * 86_400_000;
const BATCH_SIZE = 5_000;

export interface Purged {
  idempotencyRecords: number;
  platformEventReceipts: number;
}

/** One pass: deletes every record past its retention, batch by batch, and says how many of each went. */
export async function purgeExpiredRecords(services: Pick<Services, "db" | "clock" | "config">): Promise<Purged> {
  const now = services.clock.now().getTime();
  return {
    idempotencyRecords: await purge(services, "IdempotencyRecord", "id", "createdAt", new Date(now - services.config.idempotencyKeyRetentionMs)),
    platformEventReceipts: await purge(services, "PlatformEventReceipt", "eventId", "receivedAt", new Date(now - PLATFORM_EVENT_RECEIPT_RETENTION_MS)),
  };
}

async function purge(services: Pick<Services, "db">, table: string, key: string, timestamp: string, before: Date): Promise<number> {
  const [tableName, keyName, timestampName] = [table, key, timestamp].map((name) => Prisma.raw(`"${name}"`));
  let total = 0;
  for (;;) {
    // Timestamps are stored as UTC in timestamp(3) columns; the cast of ISO text ignores its trailing "Z".
    const deleted = await services.db.$executeRaw`DELETE FROM ${tableName} WHERE ${keyName} IN (
      SELECT ${keyName} FROM ${tableName} WHERE ${timestampName} < ${before.toISOString()}::timestamp(3)
      ORDER BY ${timestampName} LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED)`;
    total += deleted;
    if (deleted < BATCH_SIZE) return total;
  }
}

/** Helpers for the live-feed tests: graphql-ws clients, event collectors, bounded waits and a synthetic writer. */
import { randomBytes } from "node:crypto";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { Db } from "../../src/db/client";
import { appendOutbox } from "../../src/events/outbox";
import { transactionEvent } from "../../src/events/transaction-events";
import { encodeEventCursor } from "../../src/schema/transaction-events";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A channel prefix of its own, so test files (and runs) sharing one Redis do not hear each other. */
export function redisPrefix(): string {
  return `portal-gateway-test-${randomBytes(6).toString("hex")}`;
}

/** Polls `check` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Connection {
  client: Client;
  /** How the server closed the socket, once it has. */
  closed: { code: number; reason: string } | null;
  dispose(): Promise<void>;
}

export function connect(baseUrl: string, token: string | null): Connection {
  const connection: Connection = {
    closed: null,
    client: createClient({
      url: `${baseUrl.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          connection.closed = { code, reason: String(reason) };
        },
      },
    }),
    dispose: async () => connection.client.dispose(),
  };
  return connection;
}

export interface EventData {
  id: string;
  type: string;
  occurredAt: string;
  operationAmount: number;
  transaction: { id: string; status: string; capturedAmount: number; refundedAmount: number; reference: string };
  salesUnit: { id: string; msn: string };
}

export const EVENT_SELECTION =
  "id type occurredAt operationAmount transaction { id status capturedAmount refundedAmount reference } salesUnit { id msn }";

export const SUBSCRIPTION = `subscription($salesUnitIds: [ID!], $after: ID) {
  transactionEvents(salesUnitIds: $salesUnitIds, after: $after) { ${EVENT_SELECTION} }
}`;

export interface Collector {
  events: EventData[];
  errors: { message: string; extensions?: { code?: string } }[];
  completed: boolean;
  stop(): void;
}

export function collect(connection: Connection, variables: { salesUnitIds?: string[]; after?: string | null } = {}): Collector {
  const collector: Collector = { events: [], errors: [], completed: false, stop: () => undefined };
  collector.stop = connection.client.subscribe<{ transactionEvents: EventData }>(
    { query: SUBSCRIPTION, variables },
    {
      next: (result) => {
        if (result.errors) collector.errors.push(...(result.errors as Collector["errors"]));
        if (result.data) collector.events.push(result.data.transactionEvents);
      },
      error: (error) => {
        const list = Array.isArray(error) ? error : [error];
        collector.errors.push(...(list as Collector["errors"]));
      },
      complete: () => {
        collector.completed = true;
      },
    },
  );
  return collector;
}

/** The cursor of the newest event the relay has numbered: subscribing `after` it cannot miss what follows. */
export async function latestCursor(db: Db): Promise<string> {
  const { _max } = await db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
  return encodeEventCursor(_max.deliverySeq ?? 0n);
}

export async function unitByMsn(db: Db, msn: string) {
  return db.salesUnit.findUniqueOrThrow({ where: { msn } });
}

/** A reserved payment of 10 000.00 to capture from, one øre at a time. */
export async function createReservedPayment(db: Db, msn: string): Promise<{ id: string; salesUnitId: string; merchantId: string }> {
  const unit = await unitByMsn(db, msn);
  return db.transaction.create({
    data: {
      merchantId: unit.merchantId,
      salesUnitId: unit.id,
      reference: `live-${randomBytes(8).toString("hex")}`,
      currency: unit.currency,
      amount: 1_000_000,
      authorizedAmount: 1_000_000,
      status: "RESERVED",
      reservedAt: new Date(),
    },
    select: { id: true, salesUnitId: true, merchantId: true },
  });
}

/**
 * What a capture mutation does to the database (row lock, new aggregates, outbox event in the same transaction),
 * capturing 1 øre: each payment's events thus carry capturedAmount 1, 2, 3… in the order they happened.
 */
export async function captureOneOre(db: Db, transactionId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Transaction" WHERE id = ${transactionId}::uuid FOR UPDATE`;
    const row = await tx.transaction.update({
      where: { id: transactionId },
      data: { capturedAmount: { increment: 1 }, status: "CAPTURED", version: { increment: 1 } },
    });
    await appendOutbox(tx, transactionEvent(row, "CAPTURED", 1, new Date()));
  });
}

/** Checks one subscriber's events: no id twice, ids increasing, and each payment's captures 1, 2, 3… without a hole. */
export function assertOrderedOnce(events: EventData[]): void {
  const ids = events.map((event) => event.id);
  if (new Set(ids).size !== ids.length) throw new Error(`Duplicate events: ${ids.join(", ")}`);
  if ([...ids].sort().join() !== ids.join()) throw new Error(`Events out of delivery order: ${ids.join(", ")}`);
  const lastCaptured = new Map<string, number>();
  for (const event of events) {
    const before = lastCaptured.get(event.transaction.id) ?? 0;
    if (event.transaction.capturedAmount !== before + 1) {
      throw new Error(`Payment ${event.transaction.id}: capture ${event.transaction.capturedAmount} followed ${before}`);
    }
    lastCaptured.set(event.transaction.id, event.transaction.capturedAmount);
  }
}

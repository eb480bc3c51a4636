/**
 * The durable outbox: domain events written in the same database transaction as the change they describe.
 * The relay (relay.ts) gives each committed row its place in the delivery order; feeds (feed.ts) read it to replay
 * and to repair what the fan-out lost.
 */
import { Prisma } from "../generated/prisma/client";
import type { Tx } from "../db/client";

/** The PostgreSQL channel that wakes relays; a notification carries nothing and is only a hint. */
export const OUTBOX_CHANNEL = "outbox_event";

export interface OutboxEventInput {
  type: string;
  aggregateType: string;
  aggregateId: string;
  merchantId: string | null;
  salesUnitId: string | null;
  payload: Prisma.InputJsonValue;
}

/**
 * A write that rides in the outbox statement as a CTE: plain SQL (named `w<position>`), or named so that a guard can
 * read what it returned. A name must be a fixed identifier of the code, never input.
 */
export type OutboxWrite = Prisma.Sql | { name: string; sql: Prisma.Sql };

/**
 * The lock makes a second writer of the same aggregate wait for the first one's commit before it takes an id, so
 * per aggregate id order is commit order and the relay, which sequences in id order, keeps each aggregate's events
 * in the order they happened. NOTIFY is sent at commit (and not at all on rollback).
 */
export async function appendOutbox(
  db: Pick<Tx, "$queryRaw">,
  event: OutboxEventInput,
  alsoWrite: readonly OutboxWrite[] = [],
  guard?: Prisma.Sql,
): Promise<{ id: bigint }> {
  // One statement: the lock is taken in the materialised CTE the insert reads its one row from, so the row's id (its
  // column default) is drawn only once the lock is held. createdAt is the UTC wall clock, as the column keeps it.
  // `alsoWrite`: the change's own writes (history, audit, an update) run as data-modifying CTEs of this statement.
  // `guard`: evaluated before the lock is taken; it raises to fail the whole statement (see `expect_rows`).
  const others = alsoWrite.map((write, i) =>
    "name" in write ? Prisma.sql`${Prisma.raw(write.name)} AS (${write.sql}), ` : Prisma.sql`${Prisma.raw(`w${i}`)} AS (${write}), `,
  );
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    WITH ${others.length ? Prisma.join(others, "") : Prisma.empty}locked AS MATERIALIZED (SELECT ${guard ?? Prisma.sql`true`},
      pg_advisory_xact_lock(hashtextextended(${event.aggregateId}, 0)), pg_notify(${OUTBOX_CHANNEL}, ''))
    INSERT INTO "OutboxEvent" ("type", "aggregateType", "aggregateId", "merchantId", "salesUnitId", "payload", "createdAt")
    SELECT ${event.type}, ${event.aggregateType}, ${event.aggregateId}::uuid, ${event.merchantId}::uuid, ${event.salesUnitId}::uuid,
      ${JSON.stringify(event.payload)}::jsonb, (clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3) FROM locked
    RETURNING id`;
  return { id: BigInt(rows[0]!.id) };
}

/** A row the relay has sequenced: `seq` (its deliverySeq) orders delivery and is what subscribers resume from. */
export interface OutboxRecord {
  seq: bigint;
  id: bigint;
  type: string;
  aggregateType: string;
  aggregateId: string;
  merchantId: string | null;
  salesUnitId: string | null;
  payload: unknown;
  createdAt: Date;
}

/** The columns, in the shape `recordFromRow` reads, for raw SQL on the pg driver (int8 arrives as text). */
export const OUTBOX_RECORD_COLUMNS = `id::text AS id, "deliverySeq"::text AS seq, type, "aggregateType", "aggregateId", "merchantId",
  "salesUnitId", payload, "createdAt" AT TIME ZONE 'UTC' AS "createdAt"`;

export interface OutboxRow {
  id: string | bigint;
  seq?: string | bigint | null;
  deliverySeq?: string | bigint | null;
  type: string;
  aggregateType: string;
  aggregateId: string;
  merchantId: string | null;
  salesUnitId: string | null;
  payload: unknown;
  createdAt: Date | string;
}

/** From a pg row (OUTBOX_RECORD_COLUMNS) or a Prisma row. */
export function recordFromRow(row: OutboxRow): OutboxRecord {
  const seq = row.seq ?? row.deliverySeq;
  if (seq === null || seq === undefined) throw new Error(`Outbox event ${row.id} has no delivery sequence yet`);
  return {
    seq: BigInt(seq),
    id: BigInt(row.id),
    type: row.type,
    aggregateType: row.aggregateType,
    aggregateId: row.aggregateId,
    merchantId: row.merchantId,
    salesUnitId: row.salesUnitId,
    payload: row.payload,
    createdAt: new Date(row.createdAt),
  };
}

/**
 * The newest delivery sequence so far (0 before the first delivery). Events not delivered yet get higher ones, so a
 * feed resumed after this misses nothing committed before or after the read.
 */
export async function deliveredThrough(db: Pick<Tx, "$queryRaw">): Promise<bigint> {
  const rows = await db.$queryRaw<{ seq: bigint }[]>`SELECT COALESCE(MAX("deliverySeq"), 0)::bigint AS seq FROM "OutboxEvent"`;
  return BigInt(rows[0]?.seq ?? 0);
}

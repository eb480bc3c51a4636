/**
 * The outbox relay: a background worker in every gateway instance that turns committed outbox rows into published
 * events. It wakes on PostgreSQL NOTIFY (sent by appendOutbox at commit) and, because a notification is lost for a
 * listener that was away, also on a timer and whenever its LISTEN connection comes back.
 *
 * Publishing an event is giving it the next `deliverySeq` and committing that; the fan-out to feeds follows. The
 * sequence is the cursor subscribers resume from, so it must only ever become visible in order: otherwise a reader
 * that has seen seq 8 would never look back for a seq 7 committed after it, the same trap as reading "everything
 * after id N" when ids commit out of order. Hence:
 * - one relay at a time sequences, under a transaction-scoped advisory lock (a lease PostgreSQL releases if the
 *   relay's session dies), and numbers continue from the committed maximum, so numbers are dense and every number
 *   is committed before a higher one exists. `FOR UPDATE SKIP LOCKED` would let two relays commit interleaved
 *   numbers out of order, and let a later event of a payment overtake an earlier one.
 * - rows are numbered in id order among the committed rows the lock holder sees; a row whose id was taken earlier
 *   but which committed later simply gets a later number.
 * A relay that dies after committing numbers but before the fan-out loses nothing: feeds notice the gap in the
 * dense sequence, or find the rows on their next outbox read, and read them from the outbox (feed.ts). The fan-out
 * is therefore at-least-once from the outbox's point of view and de-duplicated by sequence in each feed.
 */
import type pg from "pg";
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "../db/errors";
import { withPooledClient } from "../db/sessions";
import { OUTBOX_CHANNEL, OUTBOX_RECORD_COLUMNS, recordFromRow, type OutboxRecord } from "./outbox";
import type { EventBus } from "./pubsub";
import { keepListening } from "../db/listen";

/** The advisory lock key every relay of a database agrees on (an arbitrary constant). */
export const SEQUENCER_LOCK = "7305114922163201";

/** Rows numbered per transaction: the numbering of a row, not the round trip, is what is left per row at this size. */
export const RELAY_BATCH_SIZE = 1000;

/**
 * The oldest unnumbered rows (an index of only those: `OutboxEvent_pending_idx`), numbered on from the committed
 * maximum (the backward end of the `deliverySeq` index). Without the partial index, finding them walked every row
 * numbered before, so each batch got slower as the outbox grew.
 */
const sequenceSql = (batchSize: number) => `
WITH pending AS (
  SELECT oldest.id AS pending_id, row_number() OVER (ORDER BY oldest.id) AS n
  FROM (SELECT id FROM "OutboxEvent" WHERE "deliverySeq" IS NULL ORDER BY id LIMIT ${batchSize}) AS oldest
), base AS (
  SELECT COALESCE(MAX("deliverySeq"), 0) AS next_after FROM "OutboxEvent"
)
UPDATE "OutboxEvent"
SET "deliverySeq" = base.next_after + pending.n, "publishedAt" = now() AT TIME ZONE 'UTC'
FROM pending, base
WHERE "OutboxEvent".id = pending.pending_id
RETURNING ${OUTBOX_RECORD_COLUMNS}`;

/**
 * One batch is one round trip: the statements go in one simple-protocol message. Each still takes its own snapshot
 * (READ COMMITTED), so the numbering reads the committed maximum only once the lock is held; the lock is a statement
 * of its own for that reason (taken inside the numbering statement, it would come after that statement's snapshot).
 * A relay frozen while holding the lock loses its session, and with it the lock, instead of stalling the rest.
 */
const sequenceTransaction = (batchSize: number) =>
  `BEGIN; SET LOCAL idle_in_transaction_session_timeout = '30s'; SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK}); ${sequenceSql(batchSize)}; COMMIT`;

/**
 * Sequences up to `batchSize` committed, unsequenced outbox rows and returns them in delivery order. Exported so
 * tests can play a relay that dies right after this step.
 */
export async function sequencePending(pool: pg.Pool, batchSize = RELAY_BATCH_SIZE): Promise<OutboxRecord[]> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  return withPooledClient(pool, async (client) => {
    try {
      const results = (await client.query(sequenceTransaction(batchSize))) as unknown as pg.QueryResult[];
      const numbered = results.find((result) => result.command === "UPDATE");
      if (!numbered) throw new Error("The outbox sequencing transaction returned no UPDATE result");
      return numbered.rows.map(recordFromRow).sort((a, b) => (a.seq < b.seq ? -1 : 1));
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

export interface RelayOptions {
  /** For the LISTEN connection, which must be a session of its own. */
  databaseUrl: string;
  pool: pg.Pool;
  bus: EventBus;
  logger: Logger;
  /** The polling fallback, and the pause before a lost LISTEN connection is reopened. */
  pollIntervalMs: number;
  batchSize?: number;
}

export interface Relay {
  /** Runs a pass now (or right after the one in progress). */
  wake(): void;
  /** Lets the pass in progress finish, then closes the LISTEN connection. */
  stop(): Promise<void>;
}

export function startRelay({ databaseUrl, pool, bus, logger, pollIntervalMs, batchSize = RELAY_BATCH_SIZE }: RelayOptions): Relay {
  let stopped = false;
  let pass: Promise<void> | null = null;
  let again = false;
  let failing = false;

  const drain = async () => {
    // The next batch is numbered while the previous one is being published; batches are published in order.
    let published: Promise<void> = Promise.resolve();
    try {
      do {
        again = false;
        for (;;) {
          const batch = await sequencePending(pool, batchSize);
          if (batch.length > 0) {
            // The bus reports its own outages; feeds repair from the outbox, so there is nothing to retry here.
            published = published.then(() => bus.publish(batch).catch((error: unknown) => logger.debug({ err: error }, "Live event fan-out failed")));
          }
          if (batch.length < batchSize || stopped) break;
        }
      } while (again && !stopped);
    } finally {
      await published;
    }
  };

  const wake = () => {
    if (stopped) return;
    if (pass) {
      again = true;
      return;
    }
    pass = drain()
      .then(
        () => {
          if (failing) logger.info("Outbox relay recovered");
          failing = false;
        },
        (error: unknown) => {
          if (!failing) (isDatabaseUnavailable(error) ? logger.warn : logger.error).call(logger, { err: error }, "Outbox relay pass failed; retrying on the next wake-up");
          failing = true;
        },
      )
      .finally(() => {
        pass = null;
      });
  };

  const listening = keepListening({
    databaseUrl,
    channel: OUTBOX_CHANNEL,
    reconnectMs: pollIntervalMs,
    onNotification: wake,
    // Whatever committed while nobody was listening was announced to no one.
    onListening: wake,
    onLost: (error, wasListening) => {
      if (wasListening) logger.warn({ err: error }, "Outbox relay lost its LISTEN connection; polling until it is reopened");
      else logger.debug({ err: error }, "Outbox relay could not open its LISTEN connection yet");
    },
  });

  const poll = setInterval(wake, pollIntervalMs);
  poll.unref();

  return {
    wake,
    stop: async () => {
      stopped = true;
      clearInterval(poll);
      await pass;
      await listening.stop();
    },
  };
}

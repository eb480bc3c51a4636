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
 * - A finished webhook delivery (succeeded, failed or skipped) and its attempts are kept for 30 days after it
 *   finished (`WEBHOOK_DELIVERY_RETENTION_MS`): long enough to look into a receiver's trouble and to redeliver
 *   (`redeliverWebhookEvents` makes new deliveries from the events, which stay). Pending ones are never touched.
 * - A finished report run (ready or failed) and its file are kept for 30 days after it finished
 *   (`REPORT_RUN_RETENTION_MS`); after that the run is gone from `reportRuns` and its download, and the same report
 *   is made again on request. The row goes first, then the file, so a download never finds a row without its file;
 *   an instance that stops in between leaves a file no row names, which nothing serves.
 * - A mail written to `<DATA_DIR>/outbox-mail/` (no `SMTP_URL`: development) is kept for 30 days after it was
 *   written (`MAIL_FILE_RETENTION_MS`): a report there may carry payer names, and nobody reads a month-old one.
 *
 * Audit events, operation history and outbox events are records of what happened and are not touched here.
 * Every instance runs the job (src/server.ts): each batch picks its rows with SKIP LOCKED, so two instances never
 * wait on each other, and a batch is small enough to hold no lock for long.
 */
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Prisma } from "../generated/prisma/client";
import type { ReportFormat } from "../generated/prisma/enums";
import type { Services } from "../deps";
import { reportRunFile } from "./report-runs";

export const RETENTION_INTERVAL_MS = 15 * 60_000;
export const PLATFORM_EVENT_RECEIPT_RETENTION_MS = 30 * 86_400_000;
export const WEBHOOK_DELIVERY_RETENTION_MS = 30 * 86_400_000;
export const REPORT_RUN_RETENTION_MS = 30 * 86_400_000;
export const MAIL_FILE_RETENTION_MS = 30 * 86_400_000;
const BATCH_SIZE = 5_000;

export interface Purged {
  idempotencyRecords: number;
  platformEventReceipts: number;
  webhookDeliveries: number;
  reportRuns: number;
  mailFiles: number;
}

/** One pass: deletes every record past its retention, batch by batch, and says how many of each went. */
export async function purgeExpiredRecords(services: Pick<Services, "db" | "clock" | "config">): Promise<Purged> {
  const now = services.clock.now().getTime();
  const finished = Prisma.sql`status <> 'PENDING'`;
  const reportRuns = `${services.config.dataDir}/report-runs`;
  return {
    idempotencyRecords: await purge(services, "IdempotencyRecord", "id", "createdAt", new Date(now - services.config.idempotencyKeyRetentionMs)),
    platformEventReceipts: await purge(services, "PlatformEventReceipt", "eventId", "receivedAt", new Date(now - PLATFORM_EVENT_RECEIPT_RETENTION_MS)),
    // Attempts go with their delivery (ON DELETE CASCADE).
    webhookDeliveries: await purge(services, "WebhookDelivery", "id", "completedAt", new Date(now - WEBHOOK_DELIVERY_RETENTION_MS), finished),
    reportRuns: await purge(services, "ReportRun", "id", "finishedAt", new Date(now - REPORT_RUN_RETENTION_MS), finished, async (runs) => {
      await Promise.all(runs.map((run) => rm(reportRunFile(reportRuns, run), { force: true })));
    }),
    mailFiles: await purgeFiles(services.config.mailOutboxDir, /\.eml$/, new Date(now - MAIL_FILE_RETENTION_MS)),
  };
}

/** Deletes the files of `directory` named like `pattern` last written before `before`; a missing directory has none. */
async function purgeFiles(directory: string, pattern: RegExp, before: Date): Promise<number> {
  const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  let deleted = 0;
  for (const name of names.filter((n) => pattern.test(n))) {
    const file = path.join(directory, name);
    // Another instance may have taken it first.
    const written = await stat(file).then((s) => s.mtime, () => null);
    if (written && written < before) {
      await rm(file, { force: true });
      deleted++;
    }
  }
  return deleted;
}

/**
 * Deletes the rows of `table` whose `timestamp` is before `before` (and that meet `condition`), in batches; `gone`
 * hears of each batch's rows (their id and, where the table has one, format) once they are deleted.
 */
async function purge(
  services: Pick<Services, "db">,
  table: string,
  key: string,
  timestamp: string,
  before: Date,
  condition: Prisma.Sql = Prisma.sql`TRUE`,
  gone?: (rows: { id: string; format: ReportFormat }[]) => Promise<void>,
): Promise<number> {
  const [tableName, keyName, timestampName] = [table, key, timestamp].map((name) => Prisma.raw(`"${name}"`));
  let total = 0;
  for (;;) {
    // Timestamps are stored as UTC in timestamp(3) columns; the cast of ISO text ignores its trailing "Z".
    const batch = Prisma.sql`DELETE FROM ${tableName} WHERE ${keyName} IN (
      SELECT ${keyName} FROM ${tableName} WHERE ${timestampName} < ${before.toISOString()}::timestamp(3) AND ${condition}
      ORDER BY ${timestampName} LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED)`;
    let deleted: number;
    if (gone) {
      const rows = await services.db.$queryRaw<{ id: string; format: ReportFormat }[]>`${batch} RETURNING id::text AS id, format::text AS format`;
      if (rows.length > 0) await gone(rows);
      deleted = rows.length;
    } else {
      deleted = await services.db.$executeRaw(batch);
    }
    total += deleted;
    if (deleted < BATCH_SIZE) return total;
  }
}

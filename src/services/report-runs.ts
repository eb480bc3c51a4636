/**
 * Report runs: reports made on request and fetched when ready (Stripe's report runs are the model). Two kinds:
 *
 * - SETTLEMENTS: the settlement report of every settlement paid out in a period (`periodFrom`–`periodTo`, payout
 *   dates, inclusive), for one sales unit, several, or the whole merchant, in CSV, XML, XLSX or PDF, with totals per
 *   sales unit and grand totals;
 * - TRANSACTIONS: the transactions a filter selects, CSV or XLSX, streamed from a database cursor into the file.
 *
 * A run is created PENDING and worked on at once in the creating instance; `progress` counts the rows written; it
 * ends READY (the file is in `<DATA_DIR>/report-runs/`) or FAILED with a reason. A run left PENDING by an instance
 * that stopped is taken up again by the report-run job of any instance. Access is decided when the run is created (it
 * is stored with the run: the sales units, or the export's row condition) and checked again on download.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import type { Logger } from "pino";
import type { Db, Tx } from "../db/client";
import type { Condition } from "../db/conditions";
import type { Principal } from "../auth/principal";
import { dateOfDay, dayOf, parseDay } from "../domain/calendar";
import { ValidationError } from "../domain/errors";
import type { ReportFormat } from "../generated/prisma/enums";
import type { Prisma, ReportRun } from "../generated/prisma/client";
import { reportTotals, settlementReportSource, type ReportSource, type ReportTotals } from "../reports/settlement-report";
import { reportFileName, writeReport } from "../reports/render";
import { streamTransactionExport, type ExportFormat } from "../reports/transaction-export";
import { SYSTEM_ACTOR } from "./audit";
import { publicId, recordChange } from "./changes";
import type { Caller } from "./caller";

export interface ReportRunDeps {
  db: Db;
  logger: Logger;
  clock: { now(): Date };
  /** Where finished files go (`<DATA_DIR>/report-runs`). */
  directory: string;
  /** This instance's runs in flight, which its shutdown hands back (src/server.ts); absent in one-off tools. */
  work?: ReportRunWork;
}

/** Longest period one settlement report run covers. */
export const MAX_REPORT_PERIOD_DAYS = 400;

/**
 * How long a claim on a run may go unrenewed before another pass takes the run up (its instance stopped). A worker
 * renews it every HEARTBEAT_MS and with its progress, however long the run takes.
 */
export const STALE_RUN_MS = 5 * 60_000;

/** How often the report-run job looks for runs nobody is working on. */
export const REPORT_RUN_INTERVAL_MS = 60_000;

/** Progress is written at most this often (plus once at the end). */
const PROGRESS_INTERVAL_MS = 500;

/** A cursor export holds its transaction open as long as the export takes. */
const EXPORT_TRANSACTION_TIMEOUT_MS = 6 * 3600_000;

export function reportRunFile(directory: string, run: Pick<ReportRun, "id" | "format">): string {
  return path.join(directory, `${run.id}.${run.format.toLowerCase()}`);
}

export interface SettlementRunInput {
  merchantId: string;
  merchantName: string;
  /** Empty: the whole merchant. */
  salesUnitIds: string[];
  from: string;
  to: string;
  format: ReportFormat;
  includePersonalData: boolean;
}

/** "2026-01-01"…"2026-12-31": valid days, in order, at most MAX_REPORT_PERIOD_DAYS long. */
export function validatePeriod(from: string, to: string): { from: string; to: string } {
  const start = parseDay(from, "from");
  const end = parseDay(to, "to");
  if (end < start) throw new ValidationError("The period ends before it starts: give `to` on or after `from`.", "to");
  const days = (dateOfDay(end).getTime() - dateOfDay(start).getTime()) / 86_400_000 + 1;
  if (days > MAX_REPORT_PERIOD_DAYS) throw new ValidationError(`A report covers at most ${MAX_REPORT_PERIOD_DAYS} days: split the period.`, "to");
  return { from: start, to: end };
}

export async function createSettlementReportRun(deps: ReportRunDeps, caller: Caller & { principal: Principal }, input: SettlementRunInput): Promise<ReportRun> {
  const period = validatePeriod(input.from, input.to);
  const run = await deps.db.$transaction(async (tx) => {
    const created = await tx.reportRun.create({
      data: {
        kind: "SETTLEMENTS",
        merchantId: input.merchantId,
        salesUnitIds: input.salesUnitIds,
        periodFrom: dateOfDay(period.from),
        periodTo: dateOfDay(period.to),
        format: input.format,
        includePersonalData: input.includePersonalData,
        createdByKind: caller.principal.kind,
        createdById: caller.principal.id,
      },
    });
    await recordChange(tx, caller, {
      merchantId: input.merchantId,
      action: input.includePersonalData ? "reportRun.createPersonalData" : "reportRun.create",
      objectType: "ReportRun",
      objectId: created.id,
      data: { kind: "SETTLEMENTS", salesUnitIds: input.salesUnitIds, from: period.from, to: period.to, format: input.format },
      event: {
        type: "reportRun.CREATED",
        salesUnitId: null,
        payload: { kind: "SETTLEMENTS", salesUnitIds: input.salesUnitIds.map((id) => publicId("SalesUnit", id)), format: input.format, includePersonalData: input.includePersonalData },
      },
    });
    return created;
  });
  return run;
}

export interface ExportRunInput {
  /** The caller's access and filter, as the `transactions` list applies them. */
  condition: Condition;
  /** The caller's access alone (viewableTransactions): a download needs the same access. */
  access: Condition;
  format: ExportFormat;
  /** Payer columns: only for callers who may see payer details wherever they may see transactions. */
  includePayer: boolean;
  /** For the audit trail: the merchant the filter names, if any. */
  merchantId: string | null;
}

export async function createTransactionExportRun(deps: ReportRunDeps, caller: Caller & { principal: Principal }, input: ExportRunInput): Promise<ReportRun> {
  return deps.db.$transaction(async (tx) => {
    const created = await tx.reportRun.create({
      data: {
        kind: "TRANSACTIONS",
        merchantId: input.merchantId,
        salesUnitIds: [],
        format: input.format,
        includePersonalData: input.includePayer,
        condition: JSON.parse(JSON.stringify({ rows: input.condition, access: input.access } satisfies StoredCondition)),
        createdByKind: caller.principal.kind,
        createdById: caller.principal.id,
      },
    });
    await recordChange(tx, caller, {
      merchantId: input.merchantId,
      action: input.includePayer ? "reportRun.createPersonalData" : "reportRun.create",
      objectType: "ReportRun",
      objectId: created.id,
      data: { kind: "TRANSACTIONS", format: input.format },
      event: { type: "reportRun.CREATED", salesUnitId: null, payload: { kind: "TRANSACTIONS", format: input.format, includePersonalData: input.includePayer } },
    });
    return created;
  });
}

/**
 * What an export stores: the rows' condition, and the access part of it, which a download must still have. Dates in
 * it were written as ISO strings; the SQL casts them back to timestamps.
 */
export interface StoredCondition {
  rows: Condition;
  access: Condition;
}

export function storedCondition(json: unknown): StoredCondition {
  return json as StoredCondition;
}

/** Totals as stored with a run (sums as decimal strings). */
export type StoredTotals = (Omit<ReportTotals, "gross" | "fee" | "refund" | "net"> & { gross: string; fee: string; refund: string; net: string })[];

function storableTotals(totals: ReportTotals[]): StoredTotals {
  return totals.map((t) => ({ ...t, gross: t.gross.toString(), fee: t.fee.toString(), refund: t.refund.toString(), net: t.net.toString() }));
}

/**
 * Runs `write` on a new file and waits for the file to be closed; a writer that fails midway (a database read, a
 * full disk) has its file closed too, so no descriptor is left open and the caller can remove the partial file.
 */
async function writingTo<T>(file: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const out = createWriteStream(file);
  // The file's own failure (ENOSPC arriving while the writer waits on a database read) ends the run too, and is
  // never an unhandled rejection, which would end the process.
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  const closed = once(out, "close");
  const writing = write(out);
  for (const pending of [failed, closed, writing]) pending.catch(() => undefined);
  try {
    const result = await Promise.race([writing, failed]);
    await Promise.race([closed, failed]);
    return result;
  } catch (error) {
    out.destroy();
    await closed.catch(() => undefined);
    throw error;
  }
}

/** Makes the run's file; answers rows written. Writes to a temporary name, renamed when complete. */
async function produce(
  deps: ReportRunDeps,
  run: ReportRun,
  file: string,
  onProgress: (rows: number) => Promise<void>,
): Promise<{ rows: number; fileName: string; totals: StoredTotals | null }> {
  if (run.kind === "SETTLEMENTS") {
    const from = dayOf(run.periodFrom!);
    const to = dayOf(run.periodTo!);
    const merchant = await deps.db.merchant.findUniqueOrThrow({ where: { id: run.merchantId! }, select: { name: true } });
    // Up to 400 days of a whole merchant: written as it is read, a batch of settlements at a time.
    const source = await settlementReportSource(
      deps.db,
      {
        salesUnit: { merchantId: run.merchantId! },
        ...(run.salesUnitIds.length > 0 ? { salesUnitId: { in: run.salesUnitIds } } : {}),
        payoutDate: { gte: run.periodFrom!, lte: run.periodTo! },
      },
      { merchantName: merchant.name, generatedAt: deps.clock.now(), includePersonalData: run.includePersonalData, period: { from, to } },
    );
    // `progress` counts the lines written so far, as for exports.
    const counted: ReportSource = {
      ...source,
      async *groups() {
        let lines = 0;
        for await (const group of source.groups()) {
          yield {
            ...group,
            pages: (async function* () {
              for await (const page of group.pages) {
                yield page;
                lines += page.length;
                await onProgress(lines);
              }
            })(),
          };
        }
      },
    };
    const rows = await writingTo(file, (out) => writeReport(counted, run.format, out));
    const totals = reportTotals(source);
    return {
      rows,
      fileName: reportFileName(["settlements", from, to], run.format, run.includePersonalData),
      totals: storableTotals([...totals.bySalesUnit, ...totals.grand]),
    };
  }
  const rows = await writingTo(file, (out) =>
    deps.db.$transaction(
      (tx) =>
        streamTransactionExport(
          { execute: (text, values) => tx.$executeRawUnsafe(text, ...values), query: (text) => tx.$queryRawUnsafe(text) },
          { condition: storedCondition(run.condition).rows, includePayer: run.includePersonalData, format: run.format as ExportFormat },
          out,
          onProgress,
        ),
      { timeout: EXPORT_TRANSACTION_TIMEOUT_MS, maxWait: 30_000, isolationLevel: "RepeatableRead" },
    ),
  );
  const stamp = deps.clock.now().toISOString().slice(0, 10);
  return { rows, fileName: reportFileName(["transactions", stamp], run.format, run.includePersonalData), totals: null };
}

/** How often a worker renews its claim on the run it works on. */
const HEARTBEAT_MS = 60_000;

/**
 * Runs written by a version before claims (claim null, started) had 30 minutes, as that version gave them, so a
 * rolling deploy does not take over a run an old instance is still writing.
 */
const UNCLAIMED_STALE_MS = 30 * 60_000;

/** PENDING runs no live worker holds: never started, started long ago without a claim, or a claim gone unrenewed. */
function claimable(now: Date): Prisma.ReportRunWhereInput {
  return {
    status: "PENDING",
    OR: [
      { claim: null, startedAt: null },
      { claim: null, startedAt: { lt: new Date(now.getTime() - UNCLAIMED_STALE_MS) } },
      { heartbeatAt: { lt: new Date(now.getTime() - STALE_RUN_MS) } },
    ],
  };
}

/**
 * Works on one run if nobody else is: claims it (PENDING, and not claimed, or claimed by a worker that stopped
 * renewing its claim), makes the file, and marks it READY, or FAILED with the reason. Answers whether this call did
 * the work.
 *
 * A run may take hours (a large export), so the claim is renewed while it works (`heartbeatAt`); only one that
 * went unrenewed for STALE_RUN_MS is taken over. Each claim writes a partial file of its own, and the end (the
 * file renamed into place, the run marked) happens under the run's row lock and only while the claim is still this
 * worker's: a worker that was taken over ends without touching the run or the file of the one that took it. A run
 * stopped by its instance's shutdown (`ReportRunWork`) gives its claim up and answers false.
 */
export async function executeReportRun(deps: ReportRunDeps, id: string): Promise<boolean> {
  if (deps.work?.stopping.aborted) return false;
  // A slot of this instance's few: a run left unclaimed here is made by a later pass of the report-run job.
  if (deps.work && !deps.work.acquire()) return false;
  try {
    return await claimAndMake(deps, id);
  } finally {
    deps.work?.release();
  }
}

async function claimAndMake(deps: ReportRunDeps, id: string): Promise<boolean> {
  const now = deps.clock.now();
  const claim = randomUUID();
  const { count } = await deps.db.reportRun.updateMany({ where: { id, ...claimable(now) }, data: { startedAt: now, heartbeatAt: now, claim, progress: 0 } });
  if (count === 0) return false;
  const run = await deps.db.reportRun.findUniqueOrThrow({ where: { id } });
  await mkdir(deps.directory, { recursive: true });
  const file = reportRunFile(deps.directory, run);
  const partial = `${file}.${claim}.partial`;
  // A worker this one takes over from stopped: its partial file is of no use to anyone.
  for (const name of await readdir(deps.directory)) {
    if (name.startsWith(`${path.basename(file)}.`) && name.endsWith(".partial")) await rm(path.join(deps.directory, name), { force: true });
  }
  const ours = { id, claim, status: "PENDING" as const };
  const renew = () =>
    deps.db.reportRun
      .updateMany({ where: ours, data: { heartbeatAt: deps.clock.now() } })
      .catch((error: unknown) => deps.logger.warn({ err: error, reportRunId: id }, "Could not renew a report run's claim"));
  const heartbeat = setInterval(() => void renew(), HEARTBEAT_MS).unref();
  let lastWrite = 0;
  const onProgress = async (rows: number) => {
    // The instance is stopping: the run ends here, between two batches, and is handed back below.
    deps.work?.stopping.throwIfAborted();
    if (Date.now() - lastWrite < PROGRESS_INTERVAL_MS) return;
    lastWrite = Date.now();
    await deps.db.reportRun.updateMany({ where: ours, data: { progress: rows, heartbeatAt: deps.clock.now() } });
  };
  /** Ends the run with `end` under its row lock, if the claim is still ours; answers whether it was. */
  const endIfOurs = (end: (tx: Tx) => Promise<void>) =>
    deps.db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ claim: string | null }[]>`SELECT claim::text AS claim FROM "ReportRun" WHERE id = ${id}::uuid AND status = 'PENDING' FOR UPDATE`;
      if (row?.claim !== claim) return false;
      await end(tx);
      return true;
    });
  try {
    const { rows, fileName, totals } = await produce(deps, run, partial, onProgress);
    const ended = await endIfOurs(async (tx) => {
      await rename(partial, file);
      const { size } = await stat(file);
      await tx.reportRun.update({
        where: { id },
        data: { status: "READY", progress: rows, fileName, byteSize: BigInt(size), finishedAt: deps.clock.now(), ...(totals ? { totals } : {}) },
      });
      await recordChange(tx, SYSTEM_ACTOR, finished(run, "READY", { rows }));
    });
    if (!ended) {
      await rm(partial, { force: true });
      deps.logger.warn({ reportRunId: id }, "A report run was taken over by another worker; this one's file was dropped");
    }
  } catch (error) {
    await rm(partial, { force: true });
    if (deps.work?.stopping.aborted) {
      // Not the report's failure: the claim is given up, so the report-run job of an instance still running takes
      // the run up at its next pass instead of waiting STALE_RUN_MS for a heartbeat that will not come.
      await deps.db.reportRun.updateMany({ where: ours, data: { claim: null, startedAt: null, heartbeatAt: null, progress: 0 } });
      deps.logger.info({ reportRunId: id }, "A report run was handed back: this instance is stopping");
      return false;
    }
    deps.logger.error({ err: error, reportRunId: id }, "A report run failed");
    const failureReason = "The report could not be made; try again, or narrow the period or filter.";
    await endIfOurs(async (tx) => {
      await tx.reportRun.update({ where: { id }, data: { status: "FAILED", failureReason, finishedAt: deps.clock.now() } });
      await recordChange(tx, SYSTEM_ACTOR, finished(run, "FAILED", { failureReason }));
    });
  } finally {
    clearInterval(heartbeat);
  }
  return true;
}

/** A run's end, as its audit row and its `reportRun.READY` / `reportRun.FAILED` event record it. */
function finished(run: ReportRun, status: "READY" | "FAILED", facts: { rows: number } | { failureReason: string }) {
  return {
    merchantId: run.merchantId,
    action: status === "READY" ? "reportRun.ready" : "reportRun.fail",
    objectType: "ReportRun",
    objectId: run.id,
    data: facts,
    event: { type: status === "READY" ? "reportRun.READY" : "reportRun.FAILED", salesUnitId: null, payload: { kind: run.kind, status, ...facts } },
  } as const;
}

/** One pass of the report-run job: takes up runs nobody is working on (their instance stopped). */
export async function runPendingReports(deps: ReportRunDeps): Promise<number> {
  const now = deps.clock.now();
  const pending = await deps.db.reportRun.findMany({
    // A run not started yet is its creating instance's for 10 seconds.
    where: { AND: [claimable(now), { OR: [{ startedAt: { not: null } }, { createdAt: { lt: new Date(now.getTime() - 10_000) } }] }] },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: 10,
  });
  let done = 0;
  for (const run of pending) {
    const work = executeReportRun(deps, run.id);
    if (await (deps.work ? deps.work.track(work) : work)) done++;
  }
  return done;
}

/** How long a stopping instance lets its runs finish before it hands the rest back to the other instances. */
export const REPORT_RUN_SHUTDOWN_GRACE_MS = 10_000;

/**
 * One instance's report runs in flight. At shutdown (`settle`) the runs get a short grace to finish; the ones still
 * going stop at their next batch and give up their claims, so the report-run job of another instance (or of this one
 * when it is back) makes them at once, instead of the shutdown waiting for an export that may take an hour.
 */
export class ReportRunWork {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private running = 0;

  /**
   * `slots`: how many runs this instance makes at once. A transaction export holds a connection of the request pool
   * for its whole run (its cursor's transaction) and asks the pool for another one to write its progress: as many
   * exports as the pool has connections would each hold one and wait for a second for ever, and every request with
   * them. So runs take at most a quarter of the pool; the others wait, PENDING, for the report-run job.
   */
  constructor(private readonly slots = 2) {}

  /** Takes a slot if one is free. */
  acquire(): boolean {
    if (this.running >= this.slots) return false;
    this.running++;
    return true;
  }

  release(): void {
    this.running--;
  }

  /** Aborted when the instance stops: no run starts after that, and runs in flight stop between batches. */
  get stopping(): AbortSignal {
    return this.controller.signal;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async settle(graceMs = REPORT_RUN_SHUTDOWN_GRACE_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
    this.controller.abort(new Error("The instance is stopping."));
    await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * Starts the run in the background and waits up to `waitMs` for it: a small report is READY in the mutation's answer,
 * a large one is PENDING and is polled.
 */
export async function startReportRun(deps: ReportRunDeps, id: string, waitMs = 1_000): Promise<void> {
  const work = executeReportRun(deps, id).catch((error: unknown) => deps.logger.error({ err: error, reportRunId: id }, "A report run could not start"));
  deps.work?.track(work);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}

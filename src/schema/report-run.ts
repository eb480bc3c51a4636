/**
 * A report run (src/services/report-runs.ts), answered by `createReportRun` and `createTransactionExport`
 * (report-run-mutations.ts): its `status` goes PENDING → READY (or FAILED) and its `downloadUrl` then serves the file
 * with the same bearer token. A run is seen only by the principal who created it (src/auth/policies/report-run.ts).
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { CurrencyEnum, ReportFormatEnum } from "./enums";
import { Money, moneyOf } from "./money";
import type { Context } from "../context";
import { mayReadRun, ownReportRuns } from "../auth/policies/report-run";
import { NOTHING } from "../auth/policies/who";
import { dayOf } from "../domain/calendar";
import { uuidOrNil } from "../domain/ids";
import { toPrismaWhere } from "../db/conditions";
import type * as runs from "../services/report-runs";

const ReportRunKindEnum = builder.enumType("ReportRunKind", {
  description: "What a report run makes.",
  values: { SETTLEMENTS: { description: "Settlement reports over a payout period." }, TRANSACTIONS: { description: "An export of the transactions a filter selects." } },
});

const ReportRunStatusEnum = builder.enumType("ReportRunStatus", {
  description: "Where a report run is: PENDING, then READY or FAILED.",
  values: {
    PENDING: { description: "Being made; `progress` counts the rows written so far." },
    READY: { description: "Done: `downloadUrl` serves the file." },
    FAILED: { description: "Not made: `failureReason` says why." },
  },
});

export const TransactionExportFormatEnum = builder.enumType("TransactionExportFormat", {
  description: "The file format of a transaction export.",
  values: {
    CSV: { description: "Comma-separated values, one transaction a row." },
    XLSX: { description: "An Excel workbook, one transaction a row." },
  } as const,
});

/** The directory and dependencies of the service, from the request's long-lived parts. */
export function reportRunDeps(ctx: Pick<Context, "services">): runs.ReportRunDeps {
  const { db, logger, clock, config, reportRuns } = ctx.services;
  return { db, logger, clock, directory: `${config.dataDir}/report-runs`, work: reportRuns };
}


const ReportTotal = builder.objectRef<runs.StoredTotals[number]>("ReportTotal").implement({
  description: "Sums of a report's settlements: for one sales unit (and currency), or the grand total of a currency (`msn` null).",
  fields: (t) => ({
    msn: t.string({ nullable: true, description: "The sales unit's MSN; null on a currency's grand total.", resolve: (r) => r.msn }),
    salesUnitName: t.string({ nullable: true, description: "The sales unit's name; null on a currency's grand total.", resolve: (r) => r.salesUnitName }),
    currency: t.field({ type: CurrencyEnum, description: "The currency of the sums.", resolve: (r) => r.currency }),
    settlements: t.int({ description: "How many settlements.", resolve: (r) => r.settlements }),
    gross: t.field({ type: Money, description: "What was captured.", resolve: (r) => moneyOf(r.gross, r.currency) }),
    fee: t.field({ type: Money, description: "The fees deducted.", resolve: (r) => moneyOf(r.fee, r.currency) }),
    refund: t.field({ type: Money, description: "What was refunded.", resolve: (r) => moneyOf(r.refund, r.currency) }),
    net: t.field({ type: Money, description: "What was paid out: gross − refunds − fees.", resolve: (r) => moneyOf(r.net, r.currency) }),
  }),
});

export const ReportRun = builder.prismaNode("ReportRun", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A report made on request. Seen only by whoever created it, and only while their access still covers what it covers.",
  // Whether the creator's access still covers the run is a rule over the stored row, not a filter: the row is read
  // first, so a run they may no longer read is null like one that does not exist (and not a FORBIDDEN that says it does).
  findUnique: async (id, ctx) => {
    const own = { id: uuidOrNil(id), AND: [toPrismaWhere(ownReportRuns(ctx))] };
    const run = await ctx.db.reportRun.findFirst({ where: own });
    return run && mayReadRun(ctx, run) ? own : { id: own.id, AND: [toPrismaWhere(NOTHING)] };
  },
  authScopes: (row, ctx) => mayReadRun(ctx, row),
  fields: (t) => ({
    kind: t.expose("kind", { type: ReportRunKindEnum, description: "A settlement report or a transaction export." }),
    status: t.expose("status", { type: ReportRunStatusEnum, description: "PENDING while being made, then READY or FAILED." }),
    format: t.expose("format", { type: ReportFormatEnum, description: "The file format asked for." }),
    includePersonalData: t.exposeBoolean("includePersonalData", { description: "Payer names and messages (settlements) or payer columns (exports)." }),
    periodFrom: t.field({ type: "Date", nullable: true, description: "First payout date covered (settlement reports).", resolve: (r) => (r.periodFrom ? dayOf(r.periodFrom) : null) }),
    periodTo: t.field({ type: "Date", nullable: true, description: "Last payout date covered, inclusive (settlement reports).", resolve: (r) => (r.periodTo ? dayOf(r.periodTo) : null) }),
    salesUnitIds: t.idList({ description: "The sales units covered; empty: the whole merchant (or, for an export, what the filter selects).", resolve: (r) => r.salesUnitIds.map((id) => encodeGlobalID("SalesUnit", id)) }),
    progress: t.exposeInt("progress", { description: "Rows written so far (all of them once READY)." }),
    failureReason: t.exposeString("failureReason", { nullable: true, description: "Why the run FAILED; null otherwise." }),
    fileName: t.exposeString("fileName", { nullable: true, description: "The file's name, once READY." }),
    downloadUrl: t.string({
      nullable: true,
      description: "Absolute URL of the file once READY; fetch it with the same bearer token.",
      resolve: (r, _args, ctx) => (r.status === "READY" ? `${ctx.services.config.publicBaseUrl}/reports/runs/${r.id}.${r.format.toLowerCase()}` : null),
    }),
    totals: t.field({
      type: [ReportTotal],
      description: "Settlement reports, once READY: totals per sales unit, then the grand total per currency.",
      resolve: (r) => (r.totals as runs.StoredTotals | null) ?? [],
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the run was asked for." }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true, description: "When it became READY or FAILED; null while PENDING." }),
  }),
});


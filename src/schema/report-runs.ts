/**
 * Report runs (src/services/report-runs.ts): `createReportRun` (settlement reports over a payout period, for one
 * sales unit, several, or the whole merchant) and `createTransactionExport` (the rows a transaction filter selects).
 * Both answer a `ReportRun` whose `status` goes PENDING → READY (or FAILED) and whose `downloadUrl` then serves the
 * file with the same bearer token. A run is seen only by the principal who created it.
 */
import { ValidationError } from "../domain/errors";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { CurrencyEnum, ReportFormatEnum } from "./enums";
import { Merchant } from "./merchant";
import { Money, moneyOf } from "./money";
import { SalesUnit } from "./sales-unit";
import { decodedTransactionFilter, TransactionFilter } from "./transaction";
import type { Context } from "../context";
import { isRunCreator, mayReportOn, ownReportRuns, settlementReportActions } from "../auth/policies/report-run";
import { maySearchPayers, transactionListCondition, viewableTransactions } from "../auth/policies/transaction";
import { AuthenticationError } from "../auth/errors";
import { dayOf } from "../domain/calendar";
import { uuidOrNil } from "../domain/ids";
import { toPrismaWhere } from "../db/conditions";
import { callerFor } from "../services/caller";
import * as runs from "../services/report-runs";

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

const TransactionExportFormatEnum = builder.enumType("TransactionExportFormat", {
  description: "The file format of a transaction export.",
  values: {
    CSV: { description: "Comma-separated values, one transaction a row." },
    XLSX: { description: "An Excel workbook, one transaction a row." },
  } as const,
});

/** The directory and dependencies of the service, from the request's long-lived parts. */
export function reportRunDeps(ctx: Pick<Context, "services">): runs.ReportRunDeps {
  const { db, logger, clock, config } = ctx.services;
  return { db, logger, clock, directory: `${config.dataDir}/report-runs` };
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
  description: "A report made on request. Seen only by whoever created it.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(ownReportRuns(ctx))] }),
  authScopes: (row, ctx) => isRunCreator(ctx, row),
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

const CreateReportRunInput = builder.inputType("CreateReportRunInput", {
  description: "Which settlements a settlement report covers, and its format.",
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, required: true, description: "The merchant whose settlements to report." }),
    salesUnitIds: t.globalIDList({ for: SalesUnit, description: "The sales units to cover; none: every sales unit of the merchant (needs access to all of them)." }),
    from: t.field({ type: "Date", required: true, description: "First payout date, inclusive." }),
    to: t.field({ type: "Date", required: true, description: `Last payout date, inclusive; at most ${runs.MAX_REPORT_PERIOD_DAYS} days after \`from\`.` }),
    format: t.field({ type: ReportFormatEnum, required: true, description: "The report's file format." }),
    includePersonalData: t.boolean({
      required: true,
      defaultValue: false,
      description: "Add payer names and messages (audited); needs PERSONAL_DATA_REPORTS on every sales unit covered.",
    }),
  }),
});

const CreateTransactionExportInput = builder.inputType("CreateTransactionExportInput", {
  description: "Which transactions to export, and the file format.",
  fields: (t) => ({
    filter: t.field({ type: TransactionFilter, description: "The same filter as `transactions`; rows come in its order (newest first)." }),
    format: t.field({ type: TransactionExportFormatEnum, required: true, description: "CSV or XLSX." }),
  }),
});

/** The report policy over the named sales units, loaded through the request's cached loader. */
async function mayReportOnUnits(ctx: Context, merchantId: string, salesUnitIds: string[], includePersonalData: boolean): Promise<boolean> {
  const units = await Promise.all(salesUnitIds.map((id) => ctx.loaders.salesUnitOwner.load(id)));
  return mayReportOn(ctx.access, merchantId, units, settlementReportActions(includePersonalData));
}

function caller(ctx: Context) {
  const { principal } = ctx;
  if (!principal) throw new AuthenticationError();
  return { ...callerFor(ctx), principal };
}

builder.mutationFields((t) => ({
  createReportRun: t.field({
    type: ReportRun,
    description:
      "Make the settlement report of the settlements paid out from `from` to `to` (inclusive) for the named sales units or the whole merchant. " +
      "Answers the run; a small one is READY at once, a large one is PENDING: poll `node(id:)` for `status` and `progress`.",
    args: { input: t.arg({ type: CreateReportRunInput, required: true, description: "What to report." }) },
    authScopes: async (_root, { input }, ctx) =>
      mayReportOnUnits(ctx, input.merchantId.id, [...new Set(input.salesUnitIds?.map((g) => g.id) ?? [])], input.includePersonalData),
    errors: { types: [ValidationError] },
    resolve: async (_root, { input }, ctx) => {
      const deps = reportRunDeps(ctx);
      const merchant = await ctx.db.merchant.findUniqueOrThrow({ where: { id: input.merchantId.id }, select: { id: true, name: true } });
      const run = await runs.createSettlementReportRun(deps, caller(ctx), {
        merchantId: merchant.id,
        merchantName: merchant.name,
        salesUnitIds: [...new Set(input.salesUnitIds?.map((g) => g.id) ?? [])],
        from: dayOf(input.from),
        to: dayOf(input.to),
        format: input.format,
        includePersonalData: input.includePersonalData,
      });
      await runs.startReportRun(deps, run.id);
      return ctx.db.reportRun.findUniqueOrThrow({ where: { id: run.id } });
    },
  }),
  createTransactionExport: t.field({
    type: ReportRun,
    description:
      "Export the transactions a filter selects (what `transactions` would list, in its order) as CSV or XLSX, streamed from the database into the file. " +
      "Payer columns are included only for callers who may see payer details on every sales unit whose transactions they see.",
    args: { input: t.arg({ type: CreateTransactionExportInput, required: true, description: "What to export." }) },
    authScopes: { authenticated: true },
    errors: { types: [ValidationError] },
    resolve: async (_root, { input }, ctx) => {
      const deps = reportRunDeps(ctx);
      const filter = decodedTransactionFilter(input.filter);
      const run = await runs.createTransactionExportRun(deps, caller(ctx), {
        condition: transactionListCondition(filter, ctx.access),
        access: viewableTransactions(ctx.access),
        format: input.format,
        includePayer: maySearchPayers(ctx.access),
        merchantId: filter?.merchantId && ctx.access.canOnMerchant("VIEW_TRANSACTIONS", filter.merchantId) ? filter.merchantId : null,
      });
      await runs.startReportRun(deps, run.id);
      return ctx.db.reportRun.findUniqueOrThrow({ where: { id: run.id } });
    },
  }),
}));

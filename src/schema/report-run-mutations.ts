/**
 * Ordering report runs (src/services/report-runs.ts): `createReportRun`, settlement reports over a payout period for one
 * sales unit, several, or the whole merchant (the report policy in src/auth/policies/report-run.ts decides who may), and
 * `createTransactionExport`, the rows a transaction filter selects. Both answer the `ReportRun` (report-run.ts).
 */
import { NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { ReportFormatEnum } from "./enums";
import { Merchant } from "./merchant";
import { ReportRun, reportRunDeps, TransactionExportFormatEnum } from "./report-run";
import { SalesUnit } from "./sales-unit";
import { decodedTransactionFilter, TransactionFilter } from "./transaction";
import type { Context } from "../context";
import { mayReportOn, settlementReportActions } from "../auth/policies/report-run";
import { mayExportPayers, transactionListCondition, viewableTransactions } from "../auth/policies/transaction";
import { AuthenticationError } from "../auth/errors";
import { dayOf } from "../domain/calendar";
import { callerFor } from "../services/caller";
import * as runs from "../services/report-runs";

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
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) => {
      const deps = reportRunDeps(ctx);
      // Only customer service, whose access covers every merchant, gets this far with an id of no merchant.
      const merchant = await ctx.db.merchant.findUnique({ where: { id: input.merchantId.id }, select: { id: true, name: true } });
      if (!merchant) throw new NotFoundError("merchant");
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
      "Payer columns are included only for callers who may see payer details and take personal-data reports (PERSONAL_DATA_REPORTS) on every sales unit whose transactions they see.",
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
        includePayer: mayExportPayers(ctx.access),
        merchantId: filter?.merchantId && ctx.access.canOnMerchant("VIEW_TRANSACTIONS", filter.merchantId) ? filter.merchantId : null,
      });
      await runs.startReportRun(deps, run.id);
      return ctx.db.reportRun.findUniqueOrThrow({ where: { id: run.id } });
    },
  }),
}));

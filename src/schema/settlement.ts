/** Settlements (payouts): the type and the settlements(salesUnitId:) query. */
import { builder } from "./builder";
import { PERSONAL_DATA_ACTION, settlementPolicy } from "../auth/policies/settlement";
import { uuidOrNil } from "../domain/ids";
import { CurrencyEnum, ReportFormatEnum, SettlementStatusEnum } from "./enums";
import { SalesUnit } from "./sales-unit";

export const Settlement = builder.prismaNode("Settlement", {
  id: { field: "id" },
  nullable: true,
  description: "A payout for one sales unit and period. Amounts in minor units; net = gross − refunds − fees.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: settlementPolicy.unitWhere(ctx.access) }),
  authScopes: (row) => ({ salesUnit: { action: settlementPolicy.action, salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    periodStart: t.expose("periodStart", { type: "Date" }),
    periodEnd: t.expose("periodEnd", { type: "Date" }),
    payoutDate: t.expose("payoutDate", { type: "Date" }),
    currency: t.expose("currency", { type: CurrencyEnum }),
    grossAmount: t.exposeInt("grossAmount"),
    refundedAmount: t.exposeInt("refundedAmount"),
    feeAmount: t.exposeInt("feeAmount"),
    netAmount: t.exposeInt("netAmount"),
    status: t.expose("status", { type: SettlementStatusEnum }),
    salesUnit: t.relation("salesUnit"),
    reportUrl: t.string({
      description: "An absolute download link (from the gateway's public address) for the settlement report; it works with the same bearer token.",
      args: {
        format: t.arg({ type: ReportFormatEnum, required: true }),
        includePersonalData: t.arg.boolean({ required: false, defaultValue: false }),
      },
      authScopes: (row, args) =>
        args.includePersonalData ? { salesUnit: { action: PERSONAL_DATA_ACTION, salesUnitId: row.salesUnitId } } : true,
      resolve: (row, args, ctx) =>
        `${ctx.services.config.publicBaseUrl}/reports/settlements/${row.id}.${args.format.toLowerCase()}${args.includePersonalData ? "?includePersonalData=true" : ""}`,
    }),
  }),
});

builder.queryFields((t) => ({
  settlements: t.prismaConnection({
    type: "Settlement",
    cursor: "id",
    description: "Settlements of a sales unit, newest period first.",
    authScopes: (_root, args) => ({ salesUnit: { action: settlementPolicy.action, salesUnitId: args.salesUnitId.id } }),
    args: { salesUnitId: t.arg.globalID({ for: SalesUnit, required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.settlement.findMany({
        ...query,
        where: { salesUnitId: args.salesUnitId.id },
        orderBy: [{ periodEnd: "desc" }, { id: "desc" }],
      }),
    totalCount: (_root, args, ctx) => ctx.db.settlement.count({ where: { salesUnitId: args.salesUnitId.id } }),
  }),
}));

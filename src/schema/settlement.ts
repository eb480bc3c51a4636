/** Settlements (payouts), report subscriptions and test users. */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CurrencyEnum, ReportFormatEnum, SettlementFrequencyEnum, SettlementStatusEnum } from "./enums";
import { Merchant, merchantIdWhere } from "./merchant";
import { SalesUnit } from "./sales-unit";

export const Settlement = builder.prismaNode("Settlement", {
  id: { field: "id" },
  nullable: true,
  description: "A payout for one sales unit and period. Amounts in minor units; net = gross − refunds − fees.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: ctx.access.salesUnitWhere("VIEW_TRANSACTIONS") }),
  authScopes: (row) => ({ salesUnit: { action: "VIEW_TRANSACTIONS", salesUnitId: row.salesUnitId } }),
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
      description: "A download link for the settlement report; it works with the same bearer token.",
      args: {
        format: t.arg({ type: ReportFormatEnum, required: true }),
        includePersonalData: t.arg.boolean({ required: false, defaultValue: false }),
      },
      authScopes: (row, args) =>
        args.includePersonalData ? { salesUnit: { action: "PERSONAL_DATA_REPORTS", salesUnitId: row.salesUnitId } } : true,
      resolve: (row, args) =>
        `/reports/settlements/${row.id}.${args.format.toLowerCase()}${args.includePersonalData ? "?includePersonalData=true" : ""}`,
    }),
  }),
});

builder.queryFields((t) => ({
  settlements: t.prismaConnection({
    type: "Settlement",
    cursor: "id",
    description: "Settlements of a sales unit, newest period first.",
    authScopes: (_root, args) => ({ salesUnit: { action: "VIEW_TRANSACTIONS", salesUnitId: args.salesUnitId.id } }),
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

export const ReportSubscription = builder.prismaNode("ReportSubscription", {
  id: { field: "id" },
  nullable: true,
  description: "E-mail delivery of settlement reports on a schedule.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [merchantIdWhere(ctx.access.merchantIds("VIEW_TRANSACTIONS"))] }),
  authScopes: (row) => ({ merchant: { action: "VIEW_TRANSACTIONS", merchantId: row.merchantId } }),
  fields: (t) => ({
    email: t.exposeString("email"),
    frequency: t.expose("frequency", { type: SettlementFrequencyEnum }),
    format: t.expose("format", { type: ReportFormatEnum }),
    includePersonalData: t.exposeBoolean("includePersonalData"),
    lastSentAt: t.expose("lastSentAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    merchant: t.relation("merchant"),
  }),
});

export const TestUser = builder.prismaObject("TestUser", {
  description: "A test-environment customer for the test app: log in with the NIN, pay with the phone number.",
  authScopes: (row) => ({ merchant: { action: "DEVELOPER", merchantId: row.merchantId } }),
  fields: (t) => ({
    id: t.exposeID("id"),
    phoneNumber: t.exposeString("phoneNumber"),
    nin: t.exposeString("nin"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectFields(Merchant, (t) => ({
  reportSubscriptions: t.relation("reportSubscriptions", {
    authScopes: (merchant) => ({ merchant: { action: "VIEW_TRANSACTIONS", merchantId: merchant.id } }),
    query: { orderBy: { createdAt: "asc" } },
  }),
}));

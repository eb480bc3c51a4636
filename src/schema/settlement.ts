/** Settlements (payouts), report subscriptions and test users. */
import { builder } from "./builder";
import type { Context } from "../context";
import { toPrismaWhere } from "../db/conditions";
import { canSeeSubscription, visibleSubscriptions } from "../auth/policies/report-subscription";
import { PERSONAL_DATA_ACTION, settlementPolicy } from "../auth/policies/settlement";
import { uuidOrNil } from "../domain/ids";
import { CurrencyEnum, ReportFormatEnum, SettlementFrequencyEnum, SettlementStatusEnum } from "./enums";
import { Merchant } from "./merchant";
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
      description: "A download link for the settlement report; it works with the same bearer token.",
      args: {
        format: t.arg({ type: ReportFormatEnum, required: true }),
        includePersonalData: t.arg.boolean({ required: false, defaultValue: false }),
      },
      authScopes: (row, args) =>
        args.includePersonalData ? { salesUnit: { action: PERSONAL_DATA_ACTION, salesUnitId: row.salesUnitId } } : true,
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

/**
 * A subscription is seen by the portal users who could create it (src/auth/policies/report-subscription.ts): its
 * address and whether it carries payer data are not for partners, API keys or colleagues of other units.
 */
const subscriptionWhere = (ctx: Context) => toPrismaWhere(visibleSubscriptions(ctx));

export const ReportSubscription = builder.prismaNode("ReportSubscription", {
  id: { field: "id" },
  nullable: true,
  description: "E-mail delivery of settlement reports on a schedule.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [subscriptionWhere(ctx)] }),
  authScopes: (row, ctx) => canSeeSubscription(ctx, row),
  fields: (t) => ({
    email: t.exposeString("email"),
    frequency: t.expose("frequency", { type: SettlementFrequencyEnum }),
    format: t.expose("format", { type: ReportFormatEnum }),
    includePersonalData: t.exposeBoolean("includePersonalData"),
    lastSentAt: t.expose("lastSentAt", { type: "DateTime", nullable: true }),
    disabledAt: t.expose("disabledAt", {
      type: "DateTime",
      nullable: true,
      description: "When it stopped because the person who made it lost access to what it covers; nothing is sent after that.",
    }),
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
    description: "The report subscriptions you could have created yourself.",
    query: (_args, ctx) => ({ where: subscriptionWhere(ctx), orderBy: { createdAt: "asc" } }),
  }),
}));

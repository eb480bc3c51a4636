/** Settlements (payouts): the type and the settlements(salesUnitId:) query. */
import { builder } from "./builder";
import { listedPage, nodeConnection } from "./connection";
import { PERSONAL_DATA_ACTION, settlementPolicy } from "../auth/policies/settlement";
import { uuidOrNil } from "../domain/ids";
import { orderColumns, prismaOrderBy, SETTLEMENT_ORDER_COLUMNS } from "../domain/ordering";
import { CurrencyEnum, OrderDirectionEnum, ReportFormatEnum, SettlementStatusEnum } from "./enums";
import { int32Total, legacyTotalReason, Money, moneyOf } from "./money";
import { SalesUnit } from "./sales-unit";

export const Settlement = builder.prismaNode("Settlement", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A payout for one sales unit and period. Amounts in minor units; net = gross − refunds − fees.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: settlementPolicy.unitWhere(ctx.access) }),
  authScopes: (row) => ({ salesUnit: { action: settlementPolicy.action, salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    periodStart: t.expose("periodStart", { type: "Date", description: "First day of the settled period." }),
    periodEnd: t.expose("periodEnd", { type: "Date", description: "Last day of the settled period." }),
    payoutDate: t.expose("payoutDate", { type: "Date", description: "The day the net amount is (or was) paid to the sales unit's settlement account." }),
    currency: t.expose("currency", { type: CurrencyEnum, description: "The currency of every amount, the sales unit's currency." }),
    gross: t.field({ type: Money, description: "What was captured in the period.", resolve: (row) => moneyOf(row.grossAmount, row.currency) }),
    refunded: t.field({ type: Money, description: "What was refunded in the period.", resolve: (row) => moneyOf(row.refundedAmount, row.currency) }),
    fee: t.field({ type: Money, description: "The fees deducted.", resolve: (row) => moneyOf(row.feeAmount, row.currency) }),
    net: t.field({ type: Money, description: "What is paid out: gross − refunds − fees.", resolve: (row) => moneyOf(row.netAmount, row.currency) }),
    grossAmount: t.int({ nullable: true, description: "`gross` in minor units as an Int; null, with an AMOUNT_OUT_OF_RANGE error, when it does not fit.", deprecationReason: legacyTotalReason("gross"), resolve: (row) => int32Total(row.grossAmount, "gross") }),
    refundedAmount: t.int({ nullable: true, description: "`refunded` in minor units as an Int; null, with an AMOUNT_OUT_OF_RANGE error, when it does not fit.", deprecationReason: legacyTotalReason("refunded"), resolve: (row) => int32Total(row.refundedAmount, "refunded") }),
    feeAmount: t.int({ nullable: true, description: "`fee` in minor units as an Int; null, with an AMOUNT_OUT_OF_RANGE error, when it does not fit.", deprecationReason: legacyTotalReason("fee"), resolve: (row) => int32Total(row.feeAmount, "fee") }),
    netAmount: t.int({ nullable: true, description: "`net` in minor units as an Int; null, with an AMOUNT_OUT_OF_RANGE error, when it does not fit.", deprecationReason: legacyTotalReason("net"), resolve: (row) => int32Total(row.netAmount, "net") }),
    status: t.expose("status", { type: SettlementStatusEnum, description: "PENDING until the payout is made, then PAID." }),
    salesUnit: t.relation("salesUnit", { description: "The sales unit that was settled." }),
    reportUrl: t.string({
      description: "An absolute download link (from the gateway's public address) for the settlement report; it works with the same bearer token.",
      args: {
        format: t.arg({ type: ReportFormatEnum, required: true, description: "The report's file format." }),
        includePersonalData: t.arg.boolean({
          required: false,
          defaultValue: false,
          description: "Include payer names and messages; needs PERSONAL_DATA_REPORTS on the sales unit. False when left out.",
        }),
      },
      authScopes: (row, args) =>
        args.includePersonalData ? { salesUnit: { action: PERSONAL_DATA_ACTION, salesUnitId: row.salesUnitId } } : true,
      resolve: (row, args, ctx) =>
        `${ctx.services.config.publicBaseUrl}/reports/settlements/${row.id}.${args.format.toLowerCase()}${args.includePersonalData ? "?includePersonalData=true" : ""}`,
    }),
  }),
});

const SettlementConnection = nodeConnection(Settlement, "Settlement", "settlements");

const SettlementOrderFieldEnum = builder.enumType("SettlementOrderField", {
  description: "What a list of settlements can be sorted by.",
  values: {
    PERIOD: { description: "The first day of the settled period." },
    PAYOUT: { description: "The payout date." },
  } as const,
});

const SettlementOrder = builder.inputType("SettlementOrder", {
  description: "How to sort settlements; ties keep one fixed order, so pages never repeat or skip a settlement.",
  fields: (t) => ({
    field: t.field({ type: SettlementOrderFieldEnum, required: true, description: "The column to sort by." }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "DESC", description: "Which way; DESC when left out." }),
  }),
});

builder.queryFields((t) => ({
  settlements: t.prismaConnection({
    type: "Settlement",
    cursor: "id",
    description: "Settlements of a sales unit, newest period first. For whoever may view the sales unit's transactions.",
    authScopes: (_root, args) => ({ salesUnit: { action: settlementPolicy.action, salesUnitId: args.salesUnitId.id } }),
    args: {
      salesUnitId: t.arg.globalID({ for: SalesUnit, required: true, description: "The sales unit whose settlements to list." }),
      orderBy: t.arg({ type: SettlementOrder, required: false, description: "The order of the list; newest period first when left out." }),
    },
    resolve: (query, _root, args, ctx) => {
      const where = { salesUnitId: args.salesUnitId.id };
      return listedPage(
        query,
        (cursor) => ctx.db.settlement.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () =>
          ctx.db.settlement.findMany({
            ...query,
            where,
            orderBy: prismaOrderBy(orderColumns(SETTLEMENT_ORDER_COLUMNS[args.orderBy?.field ?? "PERIOD"], args.orderBy?.direction ?? "DESC")),
          }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.settlement.count({ where: { salesUnitId: args.salesUnitId.id } }),
  }, SettlementConnection),
}));

import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { ChannelEnum, CurrencyEnum, EnvironmentEnum, OrderDirectionEnum, SalesUnitStatusEnum, SettlementFrequencyEnum } from "./enums";
import { orderColumns, prismaOrderBy, SALES_UNIT_ORDER_COLUMNS } from "../domain/ordering";
import { maskAccountNumber } from "../domain/identifiers";
import { SEARCH_MAX_LENGTH } from "../domain/search";
import { Merchant } from "./merchant";
import type { Access } from "../auth/permissions";
import { toPrismaWhere } from "../db/conditions";
import { maySeeSettlementAccount, salesUnitListCondition } from "../auth/policies/sales-unit";

export const SalesUnit = builder.prismaNode("SalesUnit", {
  id: { field: "id" },
  nullable: true,
  description: "A point of sale with its own MSN, name in the app, transaction log and settlement account.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [ctx.access.salesUnitWhere("VIEW_SALES_UNIT")] }),
  authScopes: (unit) => ({ salesUnit: { action: "VIEW_SALES_UNIT", salesUnitId: unit.id, merchantId: unit.merchantId } }),
  fields: (t) => ({
    msn: t.exposeString("msn", { description: "Merchant serial number: unique, numeric, shown to users." }),
    name: t.exposeString("name"),
    logoUrl: t.exposeString("logoUrl", { nullable: true }),
    environment: t.expose("environment", { type: EnvironmentEnum }),
    channel: t.expose("channel", { type: ChannelEnum }),
    currency: t.expose("currency", { type: CurrencyEnum }),
    status: t.expose("status", { type: SalesUnitStatusEnum }),
    settlementFrequency: t.expose("settlementFrequency", { type: SettlementFrequencyEnum }),
    settlementAccount: t.string({
      nullable: true,
      description: "The payout account; masked except for Administrators of the merchant.",
      resolve: (unit, _args, ctx) =>
        unit.settlementAccount === null || maySeeSettlementAccount(ctx.access, unit)
          ? unit.settlementAccount
          : maskAccountNumber(unit.settlementAccount),
    }),
    capabilities: t.field({
      type: SalesUnitCapabilities,
      resolve: (unit) => unit,
    }),
    merchant: t.relation("merchant"),
    partner: t.relation("partner", { nullable: true, description: "The linked integration partner, if any." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    activatedAt: t.expose("activatedAt", { type: "DateTime", nullable: true }),
    deactivatedAt: t.expose("deactivatedAt", { type: "DateTime", nullable: true }),
  }),
});

const SalesUnitCapabilities = builder
  .objectRef<{ recurring: boolean; skipLandingPage: boolean; directCapture: boolean; paymentLinks: boolean; login: boolean; lateCapture: boolean }>(
    "SalesUnitCapabilities",
  )
  .implement({
    fields: (t) => ({
      recurring: t.exposeBoolean("recurring"),
      skipLandingPage: t.exposeBoolean("skipLandingPage"),
      directCapture: t.exposeBoolean("directCapture"),
      paymentLinks: t.exposeBoolean("paymentLinks"),
      login: t.exposeBoolean("login"),
      lateCapture: t.exposeBoolean("lateCapture"),
    }),
  });

const SalesUnitFilter = builder.inputType("SalesUnitFilter", {
  fields: (t) => ({
    search: t.string({ description: `Matches the name or the start of the MSN, literally; at most ${SEARCH_MAX_LENGTH} characters.` }),
    merchantId: t.globalID({ for: Merchant }),
    environment: t.field({ type: EnvironmentEnum }),
    channel: t.field({ type: ChannelEnum }),
    status: t.field({ type: [SalesUnitStatusEnum] }),
  }),
});

const SalesUnitOrderFieldEnum = builder.enumType("SalesUnitOrderField", {
  description: "What a list of sales units can be sorted by.",
  values: {
    NAME: { description: "The sales unit's name." },
    MSN: { description: "The merchant serial number." },
  } as const,
});

const SalesUnitOrder = builder.inputType("SalesUnitOrder", {
  description: "How to sort sales units; ties keep one fixed order, so pages never repeat or skip a unit.",
  fields: (t) => ({
    field: t.field({ type: SalesUnitOrderFieldEnum, required: true, description: "The column to sort by." }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "ASC", description: "Which way; ASC when left out." }),
  }),
});

builder.queryFields((t) => ({
  salesUnits: t.prismaConnection({
    type: "SalesUnit",
    cursor: "id",
    description: "Sales units the caller may see, by name unless `orderBy` says otherwise.",
    authScopes: { authenticated: true },
    args: {
      filter: t.arg({ type: SalesUnitFilter, required: false }),
      orderBy: t.arg({ type: SalesUnitOrder, required: false, description: "The order of the list; by name, A to Z, when left out." }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.db.salesUnit.findMany({
        ...query,
        where: salesUnitListWhere(args.filter, ctx.access),
        orderBy: prismaOrderBy(orderColumns(SALES_UNIT_ORDER_COLUMNS[args.orderBy?.field ?? "NAME"], args.orderBy?.direction ?? "ASC")),
      }),
    totalCount: (_root, args, ctx) => ctx.db.salesUnit.count({ where: salesUnitListWhere(args.filter, ctx.access) }),
  }),
  salesUnit: t.prismaField({
    type: "SalesUnit",
    nullable: true,
    description: "A sales unit by its MSN, if the caller may see it.",
    authScopes: { authenticated: true },
    args: { msn: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.salesUnit.findFirst({ ...query, where: { msn: args.msn, AND: [ctx.access.salesUnitWhere("VIEW_SALES_UNIT")] } }),
  }),
}));

type SalesUnitFilterInput = typeof SalesUnitFilter.$inferInput | null | undefined;

function salesUnitListWhere(filter: SalesUnitFilterInput, access: Access) {
  const decoded = filter ? { ...filter, merchantId: filter.merchantId?.id ?? null } : null;
  return toPrismaWhere(salesUnitListCondition(decoded, access));
}

import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { ChannelEnum, CurrencyEnum, EnvironmentEnum, OrderDirectionEnum, SalesUnitStatusEnum, SettlementFrequencyEnum } from "./enums";
import { orderColumns, prismaOrderBy, SALES_UNIT_ORDER_COLUMNS } from "../domain/ordering";
import { maskAccountNumber } from "../domain/identifiers";
import { SEARCH_MAX_LENGTH } from "../domain/search";
import { Merchant } from "./merchant";
import { cursorSeen, listedPage, nodeConnection } from "./connection";
import type { Access } from "../auth/permissions";
import { toPrismaWhere } from "../db/conditions";
import { maySeeSettlementAccount, salesUnitListCondition, viewableSalesUnits } from "../auth/policies/sales-unit";

export const SalesUnit = builder.prismaNode("SalesUnit", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A point of sale with its own MSN, name in the app, transaction log and settlement account.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(viewableSalesUnits(ctx.access))] }),
  authScopes: (unit) => ({ salesUnit: { action: "VIEW_SALES_UNIT", salesUnitId: unit.id, merchantId: unit.merchantId } }),
  fields: (t) => ({
    msn: t.exposeString("msn", { description: "Merchant serial number: unique, numeric, shown to users." }),
    name: t.exposeString("name", { description: "The point of sale name, shown to customers in the app." }),
    logoUrl: t.exposeString("logoUrl", { nullable: true, description: "The https address of the logo shown to customers; null when none is set." }),
    environment: t.expose("environment", { type: EnvironmentEnum, description: "PRODUCTION for real payments, TEST for trying the API." }),
    channel: t.expose("channel", { type: ChannelEnum, description: "Online or in-person payments." }),
    currency: t.expose("currency", { type: CurrencyEnum, description: "The currency of the sales unit's transactions and settlements." }),
    status: t.expose("status", { type: SalesUnitStatusEnum, description: "PROVISIONING while being set up, ACTIVE when it takes payments, DEACTIVATED for good." }),
    settlementFrequency: t.expose("settlementFrequency", { type: SettlementFrequencyEnum, description: "How often the sales unit is paid out." }),
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
      description: "The options and products the sales unit has.",
      resolve: (unit) => unit,
    }),
    merchant: t.relation("merchant", { description: "The merchant that owns the sales unit." }),
    partner: t.relation("partner", { nullable: true, description: "The linked integration partner, if any." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the sales unit was created." }),
    activatedAt: t.expose("activatedAt", { type: "DateTime", nullable: true, description: "When it became ACTIVE; null while PROVISIONING." }),
    deactivatedAt: t.expose("deactivatedAt", { type: "DateTime", nullable: true, description: "When it was deactivated; null unless DEACTIVATED." }),
  }),
});

export const SalesUnitConnection = nodeConnection(SalesUnit, "SalesUnit", "sales units");

builder.prismaObjectFields(Merchant, (t) => ({
  salesUnits: t.relatedConnection(
    "salesUnits",
    {
      cursor: "id",
      description: "The merchant's sales units that the caller may see.",
      query: cursorSeen(
        (_args, ctx) => ({ where: toPrismaWhere(viewableSalesUnits(ctx.access)), orderBy: [{ name: "asc" as const }, { id: "asc" as const }] }),
        (id, ctx) => ctx.db.salesUnit.findFirst({ where: { id: uuidOrNil(id), AND: [toPrismaWhere(viewableSalesUnits(ctx.access))] }, select: { id: true } }),
      ),
      totalCount: true,
    },
    SalesUnitConnection,
  ),
}));

const SalesUnitCapabilities = builder
  .objectRef<{ recurring: boolean; skipLandingPage: boolean; directCapture: boolean; paymentLinks: boolean; login: boolean; lateCapture: boolean }>(
    "SalesUnitCapabilities",
  )
  .implement({
    description: "What a sales unit can do. Test sales units keep the options they were created with.",
    fields: (t) => ({
      recurring: t.exposeBoolean("recurring", { description: "Recurring payments (agreements charged regularly) are enabled." }),
      skipLandingPage: t.exposeBoolean("skipLandingPage", { description: "Payments skip the landing page; in production this needs special permission." }),
      directCapture: t.exposeBoolean("directCapture", { description: "Payments are captured at once instead of reserved and captured later." }),
      paymentLinks: t.exposeBoolean("paymentLinks", { description: "The sales unit may create payment links." }),
      login: t.exposeBoolean("login", { description: "The sales unit has the Login product." }),
      lateCapture: t.exposeBoolean("lateCapture", { description: "Reservations can be captured or cancelled for 180 days, even where the country's usual window is shorter (14 days in Denmark and Finland)." }),
    }),
  });

const SalesUnitFilter = builder.inputType("SalesUnitFilter", {
  description: "Narrows a list of sales units; every field given must match.",
  fields: (t) => ({
    search: t.string({ description: `Matches the name or the start of the MSN, literally; at most ${SEARCH_MAX_LENGTH} characters.` }),
    merchantId: t.globalID({ for: Merchant, description: "Only this merchant's sales units." }),
    environment: t.field({ type: EnvironmentEnum, description: "Only production or only test sales units." }),
    channel: t.field({ type: ChannelEnum, description: "Only online or only in-person sales units." }),
    status: t.field({ type: [SalesUnitStatusEnum], description: "Only sales units in one of these statuses." }),
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
      filter: t.arg({ type: SalesUnitFilter, required: false, description: "Which sales units; all the caller may see when left out." }),
      orderBy: t.arg({ type: SalesUnitOrder, required: false, description: "The order of the list; by name, A to Z, when left out." }),
    },
    resolve: (query, _root, args, ctx) => {
      const where = salesUnitListWhere(args.filter, ctx.access);
      return listedPage(
        query,
        (cursor) => ctx.db.salesUnit.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () =>
          ctx.db.salesUnit.findMany({
            ...query,
            where,
            orderBy: prismaOrderBy(orderColumns(SALES_UNIT_ORDER_COLUMNS[args.orderBy?.field ?? "NAME"], args.orderBy?.direction ?? "ASC")),
          }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.salesUnit.count({ where: salesUnitListWhere(args.filter, ctx.access) }),
  }, SalesUnitConnection),
  salesUnit: t.prismaField({
    type: "SalesUnit",
    nullable: true,
    description: "A sales unit by its MSN, if the caller may see it.",
    authScopes: { authenticated: true },
    args: { msn: t.arg.string({ required: true, description: "The merchant serial number." }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.salesUnit.findFirst({ ...query, where: { msn: args.msn, AND: [toPrismaWhere(viewableSalesUnits(ctx.access))] } }),
  }),
}));

type SalesUnitFilterInput = typeof SalesUnitFilter.$inferInput | null | undefined;

function salesUnitListWhere(filter: SalesUnitFilterInput, access: Access) {
  const decoded = filter ? { ...filter, merchantId: filter.merchantId?.id ?? null } : null;
  return toPrismaWhere(salesUnitListCondition(decoded, access));
}

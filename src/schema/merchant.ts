import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CountryEnum, OrderDirectionEnum } from "./enums";
import { toPrismaWhere } from "../db/conditions";
import { viewableMerchants } from "../auth/policies/sales-unit";

const MembershipOrderFieldEnum = builder.enumType("MembershipOrderField", {
  description: "What a list of user accesses can be sorted by.",
  values: { NAME: { description: "The person's name; people without a known name come last going A to Z." } } as const,
});

const MembershipOrder = builder.inputType("MembershipOrder", {
  description: "How to sort user accesses; ties keep one fixed order, so pages never repeat or skip one.",
  fields: (t) => ({
    field: t.field({ type: MembershipOrderFieldEnum, required: true, description: "The column to sort by." }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "ASC", description: "Which way; ASC when left out." }),
  }),
});

export const Merchant = builder.prismaNode("Merchant", {
  id: { field: "id" },
  nullable: true,
  description: "A business customer of the portal.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(viewableMerchants(ctx.access))] }),
  authScopes: (merchant) => ({ merchant: { action: "VIEW_SALES_UNIT", merchantId: merchant.id } }),
  fields: (t) => ({
    name: t.exposeString("name"),
    organizationNumber: t.exposeString("organizationNumber"),
    country: t.expose("country", { type: CountryEnum }),
    addressLine: t.exposeString("addressLine", { nullable: true }),
    postalCode: t.exposeString("postalCode", { nullable: true }),
    city: t.exposeString("city", { nullable: true }),
    website: t.exposeString("website", { nullable: true }),
    contactEmail: t.exposeString("contactEmail", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    salesUnits: t.relatedConnection("salesUnits", {
      cursor: "id",
      description: "The merchant's sales units that the caller may see.",
      query: (_args, ctx) => ({ where: ctx.access.salesUnitWhere("VIEW_SALES_UNIT"), orderBy: [{ name: "asc" }, { id: "asc" }] }),
      totalCount: true,
    }),
    memberships: t.relatedConnection("memberships", {
      cursor: "id",
      description: "User accesses of the merchant (Administrators).",
      authScopes: (merchant) => ({ wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: merchant.id } }),
      args: { orderBy: t.arg({ type: MembershipOrder, required: false, description: "The order of the list; oldest access first when left out." }) },
      query: (args) => ({ orderBy: membershipOrder(args.orderBy) }),
      totalCount: true,
    }),
    testUsers: t.relation("testUsers", {
      description: "Test-environment customers (needs Developer).",
      authScopes: (merchant) => ({ merchant: { action: "DEVELOPER", merchantId: merchant.id } }),
      query: { orderBy: { createdAt: "asc" } },
    }),
  }),
});

builder.queryFields((t) => ({
  merchants: t.prismaConnection({
    type: "Merchant",
    cursor: "id",
    description: "Merchants the caller may see.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.db.merchant.findMany({ ...query, where: toPrismaWhere(viewableMerchants(ctx.access)), orderBy: [{ name: "asc" }, { id: "asc" }] }),
    totalCount: (_root, _args, ctx) => ctx.db.merchant.count({ where: toPrismaWhere(viewableMerchants(ctx.access)) }),
  }),
}));

/** `Merchant.memberships` order: by the person's name, ties by id in the same direction; by creation when not asked. */
function membershipOrder(orderBy: { field: "NAME"; direction: "ASC" | "DESC" } | null | undefined) {
  if (!orderBy) return [{ createdAt: "asc" as const }, { id: "asc" as const }];
  const direction = orderBy.direction === "ASC" ? ("asc" as const) : ("desc" as const);
  return [{ user: { name: direction } }, { id: direction }];
}

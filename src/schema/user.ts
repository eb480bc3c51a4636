import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CountryEnum, PermissionEnum, RoleEnum } from "./enums";
import type { Context } from "../context";
import { SalesUnit } from "./sales-unit";
import { administeredMerchantsWhere } from "./merchant";

/** May the caller read this person's personal data: themself, an Administrator of a shared merchant, an operator. */
function canReadPerson(user: { id: string; memberships: { merchantId: string }[] }, ctx: Context): boolean {
  if (ctx.principal?.kind === "OPERATOR") return true;
  if (ctx.principal?.kind === "USER" && ctx.principal.id === user.id) return true;
  return user.memberships.some((m) => ctx.access.canOnWholeMerchant("ADMINISTER_MERCHANT", m.merchantId));
}

/** The rows `canReadPerson` allows, as a filter. */
function personWhere(ctx: Context) {
  if (ctx.principal?.kind === "OPERATOR") return {};
  const administered = { memberships: { some: administeredMerchantsWhere(ctx) } };
  return ctx.principal?.kind === "USER" ? { OR: [{ id: ctx.principal.id }, administered] } : administered;
}

export const PortalUser = builder.prismaNode("PortalUser", {
  id: { field: "id" },
  nullable: true,
  description: "A person with access to the portal.",
  include: { memberships: { select: { merchantId: true } } },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [personWhere(ctx)] }),
  authScopes: (user, ctx) => canReadPerson(user, ctx),
  fields: (t) => ({
    name: t.exposeString("name", { nullable: true }),
    country: t.expose("country", { type: CountryEnum }),
    nin: t.exposeString("nin", {
      nullable: true,
      description: "National identity number. The whole type is readable only by the person, Administrators of a shared merchant and operators.",
    }),
    phoneNumber: t.exposeString("phoneNumber", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    anonymizedAt: t.expose("anonymizedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const Membership = builder.prismaNode("Membership", {
  id: { field: "id" },
  nullable: true,
  description: "A person's access to one merchant: a role, extra permissions and (for the lower roles) sales units.",
  findUnique: (id, ctx) => ({
    id: uuidOrNil(id),
    AND: [ctx.principal?.kind === "USER" ? { OR: [{ userId: ctx.principal.id }, administeredMerchantsWhere(ctx)] } : administeredMerchantsWhere(ctx)],
  }),
  authScopes: (membership, ctx) =>
    ctx.principal?.kind === "USER" && ctx.principal.id === membership.userId
      ? true
      : { $any: { wholeMerchant: { action: "ADMINISTER_MERCHANT", merchantId: membership.merchantId }, operator: true } },
  fields: (t) => ({
    role: t.expose("role", { type: RoleEnum }),
    permissions: t.expose("permissions", { type: [PermissionEnum] }),
    merchant: t.relation("merchant"),
    user: t.relation("user"),
    salesUnits: t.field({
      type: [SalesUnit],
      description: "The sales units the membership reaches (all of the merchant's for an Administrator), by name.",
      select: (_args, _ctx, nestedSelection) => ({
        role: true,
        merchant: { select: { salesUnits: nestedSelection({ orderBy: [{ name: "asc" as const }, { id: "asc" as const }] }) } },
        salesUnits: { select: { salesUnit: nestedSelection() }, orderBy: [{ salesUnit: { name: "asc" as const } }, { salesUnitId: "asc" as const }] },
      }),
      resolve: (membership) =>
        membership.role === "ADMINISTRATOR" ? membership.merchant.salesUnits : membership.salesUnits.map((link) => link.salesUnit),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});


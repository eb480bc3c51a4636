import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CountryEnum, PermissionEnum, RoleEnum } from "./enums";
import type { Context } from "../context";
import { SalesUnit } from "./sales-unit";
import { administeredMerchantsWhere } from "./merchant";

type PersonWithMemberships = { id: string; memberships: { merchantId: string; acceptedAt: Date | null }[] };

/** May the caller read this person's personal data: themself, an Administrator of a shared merchant, an operator. */
function canReadPerson(user: PersonWithMemberships, ctx: Context, options: { acceptedOnly?: boolean } = {}): boolean {
  if (ctx.principal?.kind === "OPERATOR") return true;
  if (ctx.principal?.kind === "USER" && ctx.principal.id === user.id) return true;
  return user.memberships.some((m) => (!options.acceptedOnly || m.acceptedAt !== null) && ctx.access.canOnWholeMerchant("ADMINISTER_MERCHANT", m.merchantId));
}

/**
 * Name, NIN, phone and e-mail come from the population register. An Administrator sees them only once the person
 * has logged in holding an access to the merchant: otherwise adding anyone by phone number (and removing them
 * again) would look up their name and NIN.
 */
function registerData<K extends "name" | "nin" | "phoneNumber" | "email">(field: K) {
  return (user: PersonWithMemberships & Record<K, string | null>, _args: unknown, ctx: Context) =>
    canReadPerson(user, ctx, { acceptedOnly: true }) ? user[field] : null;
}

const HIDDEN_UNTIL_ACCEPTED = "Null for an Administrator until the person has logged in holding an access to the merchant.";

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
  include: { memberships: { select: { merchantId: true, acceptedAt: true } } },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [personWhere(ctx)] }),
  authScopes: (user, ctx) => canReadPerson(user, ctx),
  fields: (t) => ({
    name: t.string({ nullable: true, description: HIDDEN_UNTIL_ACCEPTED, resolve: registerData("name") }),
    country: t.expose("country", { type: CountryEnum }),
    nin: t.string({
      nullable: true,
      description: `National identity number. The whole type is readable only by the person, Administrators of a shared merchant and operators. ${HIDDEN_UNTIL_ACCEPTED}`,
      resolve: registerData("nin"),
    }),
    phoneNumber: t.string({ nullable: true, description: HIDDEN_UNTIL_ACCEPTED, resolve: registerData("phoneNumber") }),
    email: t.string({ nullable: true, description: HIDDEN_UNTIL_ACCEPTED, resolve: registerData("email") }),
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
    acceptedAt: t.expose("acceptedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the person first logged in holding this access. Until then the merchant sees no name or NIN: add by NIN or phone, and the person appears by name once they log in.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});


import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CountryEnum, PermissionEnum, RoleEnum } from "./enums";
import type { Context } from "../context";
import { SalesUnit } from "./sales-unit";
import { canReadPerson, canSeeMembership, membershipWhere, personWhere, type PersonWithMemberships } from "../auth/policies/person";

/**
 * Name, NIN, phone and e-mail come from the population register. An Administrator sees them only once the person
 * has logged in holding an access to the merchant: otherwise adding anyone by phone number (and removing them
 * again) would look up their name and NIN.
 */
function registerData<K extends "name" | "nin" | "phoneNumber" | "email">(field: K) {
  return (user: PersonWithMemberships & Record<K, string | null>, _args: unknown, ctx: Context) =>
    canReadPerson(ctx, user, { acceptedOnly: true }) ? user[field] : null;
}

const HIDDEN_UNTIL_ACCEPTED = "Null for an Administrator until the person has logged in holding an access to the merchant.";

export const PortalUser = builder.prismaNode("PortalUser", {
  id: { field: "id" },
  nullable: true,
  description: "A person with access to the portal.",
  include: { memberships: { select: { merchantId: true, acceptedAt: true } } },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [personWhere(ctx)] }),
  authScopes: (user, ctx) => canReadPerson(ctx, user),
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
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [membershipWhere(ctx)] }),
  authScopes: (membership, ctx) => canSeeMembership(ctx, membership),
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


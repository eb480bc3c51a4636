import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { CountryEnum } from "./enums";
import type { Context } from "../context";
import { canReadPerson, personWhere, type PersonWithMemberships } from "../auth/policies/person";

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
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "A person with access to the portal.",
  include: { memberships: { select: { merchantId: true, acceptedAt: true } } },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [personWhere(ctx)] }),
  authScopes: (user, ctx) => canReadPerson(ctx, user),
  fields: (t) => ({
    name: t.string({ nullable: true, description: HIDDEN_UNTIL_ACCEPTED, resolve: registerData("name") }),
    country: t.expose("country", { type: CountryEnum, description: "The country of the person's national identity." }),
    nin: t.string({
      nullable: true,
      description: `National identity number. The whole type is readable only by the person, Administrators of a shared merchant and operators. ${HIDDEN_UNTIL_ACCEPTED}`,
      resolve: registerData("nin"),
    }),
    phoneNumber: t.string({ nullable: true, description: HIDDEN_UNTIL_ACCEPTED, resolve: registerData("phoneNumber") }),
    email: t.string({ nullable: true, description: HIDDEN_UNTIL_ACCEPTED, resolve: registerData("email") }),
    anonymizedAt: t.expose("anonymizedAt", { type: "DateTime", nullable: true, description: "When the person's personal data was erased; null while it is kept." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the person was first added to the portal." }),
  }),
});

/** User accesses: add, change and remove users, the operator's Administrator hand-over and anonymisation. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { CountryEnum, PermissionEnum, RoleEnum } from "./enums";
import { Merchant } from "./merchant";
import { SalesUnit } from "./sales-unit";
import { Membership } from "./membership";
import { PortalUser } from "./portal-user";
import { InvalidStateError, LastAdministratorError, NotFoundError, ValidationError } from "../domain/errors";
import * as users from "../services/users";
import { callerFor } from "../services/caller";
import { Access } from "../auth/permissions";
import { isUser } from "../auth/policies/who";
import { changeAccess, reloadAccess, type Context } from "../context";

const ADMINISTER = "ADMINISTER_MERCHANT" as const;

/** Administrators of the access's merchant (src/auth/policies/person.ts); an unknown id gets the same FORBIDDEN. */
const administersMembership = (_root: unknown, args: { input: { membershipId: { id: string } } }) => ({ membership: { membershipId: args.input.membershipId.id } });

/** The person themself, an operator, or someone who administers every merchant the person belongs to. */
const mayAnonymize = (_root: unknown, args: { input: { userId: { id: string } } }) => ({ anonymize: { userId: args.input.userId.id } });

/** After a change to `change.userId`'s access: when that is the caller, the rest of the request follows the new access. */
async function refreshedFor<T extends { userId: string }>(ctx: Context, change: T): Promise<T> {
  if (isUser(ctx, change.userId)) await reloadAccess(ctx);
  return change;
}

const PERMISSIONS = "Extra permissions for Sales Unit Managers and Assistants; not stored for an Administrator, who has them all.";
const SALES_UNITS = "The sales units a Sales Unit Manager or Assistant reaches (at least one); an Administrator reaches all.";

const RemovedUser = builder.objectRef<{ membershipId: string; userId: string }>("RemovedUser").implement({
  description: "The user access that was removed; the person keeps their portal login.",
  fields: (t) => ({
    membershipId: t.id({ description: "Global id of the removed membership.", resolve: (row) => encodeGlobalID("Membership", row.membershipId) }),
    userId: t.id({ description: "Global id of the person, who keeps their portal login.", resolve: (row) => encodeGlobalID("PortalUser", row.userId) }),
  }),
});

const AnonymizedUser = builder.objectRef<{ id: string; anonymizedAt: Date | null }>("AnonymizedUser").implement({
  description: "A person whose personal data was deleted; only the id is left.",
  fields: (t) => ({
    userId: t.id({ description: "Global id of the anonymized person.", resolve: (user) => encodeGlobalID("PortalUser", user.id) }),
    anonymizedAt: t.expose("anonymizedAt", { type: "DateTime", nullable: true, description: "When the personal data was deleted." }),
  }),
});

builder.mutationFields((t) => ({
  addUser: t.fieldWithInput({
    type: Membership,
    description: "Give a person access to the merchant. The name comes from the population register.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant to give access to." }),
      nin: t.input.string({ description: "The person's national identity number (required for Swedish users)…" }),
      phoneNumber: t.input.string({ description: "…or, for Norwegian, Danish and Finnish users, their mobile number." }),
      country: t.input.field({ type: CountryEnum, required: true, description: "The person's country: its rules apply to the NIN and number." }),
      role: t.input.field({ type: RoleEnum, required: true, description: "The user's role at the merchant." }),
      permissions: t.input.field({ type: [PermissionEnum], defaultValue: [], description: PERMISSIONS }),
      salesUnitIds: t.input.globalIDList({ for: SalesUnit, defaultValue: [], description: SALES_UNITS }),
    },
    authScopes: (_root, { input }) => ({ wholeMerchant: { action: ADMINISTER, merchantId: input.merchantId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      users.addUser(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId.id,
        country: input.country,
        nin: input.nin,
        phoneNumber: input.phoneNumber,
        role: input.role,
        permissions: input.permissions ?? [],
        salesUnitIds: (input.salesUnitIds ?? []).map((id) => id.id),
      }),
  }),
  updateUserPermissions: t.fieldWithInput({
    type: Membership,
    description: "Replace a user's role, extra permissions and sales units. The last Administrator cannot be demoted.",
    input: {
      membershipId: t.input.globalID({ for: Membership, required: true, description: "The user access to change." }),
      role: t.input.field({ type: RoleEnum, required: true, description: "The new role." }),
      permissions: t.input.field({ type: [PermissionEnum], defaultValue: [], description: PERMISSIONS }),
      salesUnitIds: t.input.globalIDList({ for: SalesUnit, defaultValue: [], description: SALES_UNITS }),
    },
    authScopes: administersMembership,
    errors: { types: [ValidationError, NotFoundError, LastAdministratorError] },
    resolve: async (_root, { input }, ctx) =>
      refreshedFor(ctx, await users.updateUserPermissions(ctx.services, callerFor(ctx), {
        membershipId: input.membershipId.id,
        role: input.role,
        permissions: input.permissions ?? [],
        salesUnitIds: (input.salesUnitIds ?? []).map((id) => id.id),
      })),
  }),
  removeUser: t.fieldWithInput({
    type: RemovedUser,
    description: "Remove a user's access to the merchant. The last Administrator cannot be removed.",
    input: { membershipId: t.input.globalID({ for: Membership, required: true, description: "The user access to remove." }) },
    authScopes: administersMembership,
    errors: { types: [ValidationError, NotFoundError, LastAdministratorError] },
    resolve: async (_root, { input }, ctx) => refreshedFor(ctx, await users.removeUser(ctx.services, callerFor(ctx), input.membershipId.id)),
  }),
  transferAdministrator: t.fieldWithInput({
    type: Membership,
    description: "Customer service: make someone the merchant's Administrator, e.g. when the sole Administrator has left.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant that needs an Administrator." }),
      toMembershipId: t.input.globalID({ for: Membership, description: "Promote this existing user access…" }),
      nin: t.input.string({ description: "…or the person with this NIN, added to the merchant if needed." }),
      country: t.input.field({ type: CountryEnum, description: "The country of `nin`." }),
      formerAdministratorRole: t.input.field({
        type: RoleEnum,
        description: "What the current Administrators become (a lower role starts without sales units). Omitted: their access is removed.",
      }),
    },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) =>
      users.transferAdministrator(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId.id,
        toMembershipId: input.toMembershipId?.id,
        nin: input.nin,
        country: input.country,
        formerAdministratorRole: input.formerAdministratorRole,
      }),
  }),
  anonymizeUser: t.fieldWithInput({
    type: AnonymizedUser,
    description:
      "Delete everything about a person: name, NIN, phone and e-mail are blanked and their accesses removed; the report subscriptions they made end, and their own e-mail address is masked on them and in the audit trail. For the person themself, customer service, or an Administrator of every merchant they belong to when every one of their accesses was taken up (they logged in holding it) and they have no merchant application under way.",
    input: { userId: t.input.globalID({ for: PortalUser, required: true, description: "The person whose personal data to delete." }) },
    authScopes: mayAnonymize,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError, LastAdministratorError] },
    resolve: async (_root, { input }, ctx) => {
      const anonymized = await users.anonymizeUser(ctx.services, callerFor(ctx), input.userId.id);
      // The person's token no longer resolves to anyone, so there is no access to reload: they now may do nothing.
      if (isUser(ctx, input.userId.id)) changeAccess(ctx, Access.none);
      return anonymized;
    },
  }),
}));

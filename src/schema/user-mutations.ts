/** User accesses: add, change and remove users, the operator's Administrator hand-over, anonymisation, test users. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { CountryEnum, PermissionEnum, RoleEnum } from "./enums";
import { Merchant } from "./merchant";
import { SalesUnit } from "./sales-unit";
import { TestUser } from "./settlement";
import { Membership, PortalUser } from "./user";
import type { Context } from "../context";
import { LastAdministratorError, LimitReachedError } from "../domain/errors";
import { uuidOrNil } from "../domain/ids";
import * as users from "../services/users";

const ADMINISTER = "ADMINISTER_MERCHANT" as const;

/** Administrators of the membership's merchant. An unknown id gets the same FORBIDDEN as another merchant's. */
async function administersMembership(_root: unknown, args: { input: { membershipId: { id: string } } }, ctx: Context) {
  const membership = await ctx.db.membership.findUnique({ where: { id: uuidOrNil(args.input.membershipId.id) }, select: { merchantId: true } });
  return membership ? { wholeMerchant: { action: ADMINISTER, merchantId: membership.merchantId } } : false;
}

type AdministratorOfEach = { wholeMerchant: { action: typeof ADMINISTER; merchantId: string }; $all?: AdministratorOfEach };

/** Administrator of every one of the merchants, as nested `$all` (a scope map holds each scope once). */
function administratorOfEach([first, ...rest]: string[]): AdministratorOfEach | false {
  if (first === undefined) return false;
  const inner = administratorOfEach(rest);
  return { wholeMerchant: { action: ADMINISTER, merchantId: first }, ...(inner ? { $all: inner } : {}) };
}

/** The person themself, an operator, or someone who administers every merchant the person belongs to. */
async function mayAnonymize(_root: unknown, args: { input: { userId: { id: string } } }, ctx: Context) {
  if (ctx.principal?.kind === "USER" && ctx.principal.id === args.input.userId.id) return true;
  const memberships = await ctx.db.membership.findMany({ where: { userId: uuidOrNil(args.input.userId.id) }, select: { merchantId: true } });
  const administrator = administratorOfEach(memberships.map((m) => m.merchantId));
  return administrator ? { $any: { operator: true, $all: administrator } } : { operator: true };
}

const PERMISSIONS = "Extra permissions for Sales Unit Managers and Assistants; not stored for an Administrator, who has them all.";
const SALES_UNITS = "The sales units a Sales Unit Manager or Assistant reaches (at least one); an Administrator reaches all.";

const AddUserInput = builder.inputType("AddUserInput", {
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, required: true }),
    nin: t.string({ description: "The person's national identity number (required for Swedish users)…" }),
    phoneNumber: t.string({ description: "…or, for Norwegian, Danish and Finnish users, their mobile number." }),
    country: t.field({ type: CountryEnum, required: true, description: "The person's country: its rules apply to the NIN and number." }),
    role: t.field({ type: RoleEnum, required: true }),
    permissions: t.field({ type: [PermissionEnum], defaultValue: [], description: PERMISSIONS }),
    salesUnitIds: t.globalIDList({ for: SalesUnit, defaultValue: [], description: SALES_UNITS }),
  }),
});

const UpdateUserPermissionsInput = builder.inputType("UpdateUserPermissionsInput", {
  fields: (t) => ({
    membershipId: t.globalID({ for: Membership, required: true }),
    role: t.field({ type: RoleEnum, required: true }),
    permissions: t.field({ type: [PermissionEnum], defaultValue: [], description: PERMISSIONS }),
    salesUnitIds: t.globalIDList({ for: SalesUnit, defaultValue: [], description: SALES_UNITS }),
  }),
});

const RemoveUserInput = builder.inputType("RemoveUserInput", {
  fields: (t) => ({ membershipId: t.globalID({ for: Membership, required: true }) }),
});

const TransferAdministratorInput = builder.inputType("TransferAdministratorInput", {
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, required: true }),
    toMembershipId: t.globalID({ for: Membership, description: "Promote this existing user access…" }),
    nin: t.string({ description: "…or the person with this NIN, added to the merchant if needed." }),
    country: t.field({ type: CountryEnum, description: "The country of `nin`." }),
    formerAdministratorRole: t.field({
      type: RoleEnum,
      description: "What the current Administrators become (a lower role starts without sales units). Omitted: their access is removed.",
    }),
  }),
});

const AnonymizeUserInput = builder.inputType("AnonymizeUserInput", {
  fields: (t) => ({ userId: t.globalID({ for: PortalUser, required: true }) }),
});

const CreateTestUserInput = builder.inputType("CreateTestUserInput", {
  fields: (t) => ({ merchantId: t.globalID({ for: Merchant, required: true }) }),
});

const RemovedUser = builder.objectRef<{ membershipId: string; userId: string }>("RemovedUser").implement({
  description: "The user access that was removed; the person keeps their portal login.",
  fields: (t) => ({
    membershipId: t.id({ resolve: (row) => encodeGlobalID("Membership", row.membershipId) }),
    userId: t.id({ resolve: (row) => encodeGlobalID("PortalUser", row.userId) }),
  }),
});

const AnonymizedUser = builder.objectRef<{ id: string; anonymizedAt: Date | null }>("AnonymizedUser").implement({
  description: "A person whose personal data was deleted; only the id is left.",
  fields: (t) => ({
    userId: t.id({ resolve: (user) => encodeGlobalID("PortalUser", user.id) }),
    anonymizedAt: t.expose("anonymizedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.mutationFields((t) => ({
  addUser: t.field({
    type: Membership,
    description: "Give a person access to the merchant. The name comes from the population register.",
    args: { input: t.arg({ type: AddUserInput, required: true }) },
    authScopes: (_root, { input }) => ({ wholeMerchant: { action: ADMINISTER, merchantId: input.merchantId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      users.addUser(ctx, {
        merchantId: input.merchantId.id,
        country: input.country,
        nin: input.nin,
        phoneNumber: input.phoneNumber,
        role: input.role,
        permissions: input.permissions ?? [],
        salesUnitIds: (input.salesUnitIds ?? []).map((id) => id.id),
      }),
  }),
  updateUserPermissions: t.field({
    type: Membership,
    description: "Replace a user's role, extra permissions and sales units. The last Administrator cannot be demoted.",
    args: { input: t.arg({ type: UpdateUserPermissionsInput, required: true }) },
    authScopes: administersMembership,
    errors: { types: [...COMMON_ERRORS, LastAdministratorError] },
    resolve: (_root, { input }, ctx) =>
      users.updateUserPermissions(ctx, {
        membershipId: input.membershipId.id,
        role: input.role,
        permissions: input.permissions ?? [],
        salesUnitIds: (input.salesUnitIds ?? []).map((id) => id.id),
      }),
  }),
  removeUser: t.field({
    type: RemovedUser,
    description: "Remove a user's access to the merchant. The last Administrator cannot be removed.",
    args: { input: t.arg({ type: RemoveUserInput, required: true }) },
    authScopes: administersMembership,
    errors: { types: [...COMMON_ERRORS, LastAdministratorError] },
    resolve: (_root, { input }, ctx) => users.removeUser(ctx, input.membershipId.id),
  }),
  transferAdministrator: t.field({
    type: Membership,
    description: "Customer service: make someone the merchant's Administrator, e.g. when the sole Administrator has left.",
    args: { input: t.arg({ type: TransferAdministratorInput, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      users.transferAdministrator(ctx, {
        merchantId: input.merchantId.id,
        toMembershipId: input.toMembershipId?.id,
        nin: input.nin,
        country: input.country,
        formerAdministratorRole: input.formerAdministratorRole,
      }),
  }),
  anonymizeUser: t.field({
    type: AnonymizedUser,
    description:
      "Delete everything about a person: name, NIN, phone and e-mail are blanked and their accesses removed. For the person, an Administrator of every merchant they belong to, or customer service.",
    args: { input: t.arg({ type: AnonymizeUserInput, required: true }) },
    authScopes: mayAnonymize,
    errors: { types: [...COMMON_ERRORS, LastAdministratorError] },
    resolve: (_root, { input }, ctx) => users.anonymizeUser(ctx, input.userId.id),
  }),
  createTestUser: t.field({
    type: TestUser,
    description: `Generate a test-environment customer (phone number and NIN) in the merchant's market; at most ${users.TEST_USER_LIMIT} per merchant.`,
    args: { input: t.arg({ type: CreateTestUserInput, required: true }) },
    authScopes: (_root, { input }) => ({ merchant: { action: "DEVELOPER", merchantId: input.merchantId.id } }),
    errors: { types: [...COMMON_ERRORS, LimitReachedError] },
    resolve: (_root, { input }, ctx) => users.createTestUser(ctx, input.merchantId.id),
  }),
}));

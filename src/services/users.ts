/**
 * User accesses ("User accesses" in the portal): adding people to a merchant, their role, extra permissions and
 * sales units, removing them, the operator's hand-over of the Administrator role, "delete everything about me",
 * and test users. Each change runs in one database transaction with its audit row. Who may call what is decided
 * before these run (Pothos scopes); these enforce the rules that depend on the data, above all that a merchant
 * always keeps an Administrator.
 */
import type { Country, Permission, Role } from "../generated/prisma/client";
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { ConflictError, InvalidStateError, LastAdministratorError, LimitReachedError, NotFoundError, ValidationError } from "../domain/errors";
import { isUuid, uuidOrNil } from "../domain/ids";
import { maskEmail } from "../domain/identifiers";
import { generateNin, parseNin } from "../domain/nin";
import { generatePhoneNumber, parsePhoneNumber } from "../domain/phone";
import { secureRng } from "../domain/random";
import type { Tx } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { publicId, recordChange } from "./changes";
import { lockMerchant } from "./merchants";
import { endSubscriptionsOf } from "./report-subscriptions";
import { ForbiddenError } from "../auth/errors";
import { mayAnonymize } from "../auth/policies/person";
import { lockRow } from "../db/locks";

async function assertAnotherAdministrator(tx: Tx, merchantId: string, leavingMembershipIds: string[]): Promise<void> {
  const remaining = await tx.membership.count({ where: { merchantId, role: "ADMINISTRATOR", id: { notIn: leavingMembershipIds } } });
  if (remaining === 0) throw new LastAdministratorError();
}

/** The membership with its merchant locked; read after the lock so the role seen is the current one. */
async function lockedMembership(tx: Tx, membershipId: string) {
  const owner = await tx.membership.findUnique({ where: { id: uuidOrNil(membershipId) }, select: { merchantId: true } });
  if (!owner) throw new NotFoundError("user access");
  await lockMerchant(tx, owner.merchantId);
  const membership = await tx.membership.findUnique({ where: { id: membershipId } });
  if (!membership) throw new NotFoundError("user access");
  return membership;
}

export interface UserAccess {
  role: Role;
  permissions: readonly Permission[];
  salesUnitIds: readonly string[];
}

/**
 * An Administrator reaches every sales unit with every permission, so extra permissions and units given to one
 * are not stored; the two lower roles reach only the units they are given, so they need at least one.
 */
async function checkedAccess(tx: Tx, merchantId: string, access: UserAccess): Promise<UserAccess> {
  if (access.role === "ADMINISTRATOR") return { role: access.role, permissions: [], salesUnitIds: [] };
  const salesUnitIds = [...new Set(access.salesUnitIds)];
  if (salesUnitIds.length === 0) {
    throw new ValidationError("Choose at least one sales unit: Sales Unit Managers and Assistants reach only the units they are given.", "salesUnitIds");
  }
  const own = await tx.salesUnit.count({ where: { merchantId, id: { in: salesUnitIds.filter(isUuid) } } });
  if (own !== salesUnitIds.length) {
    throw new ValidationError("Some of the chosen sales units do not belong to this merchant: choose among the merchant's own sales units.", "salesUnitIds");
  }
  return { role: access.role, permissions: [...new Set(access.permissions)], salesUnitIds };
}

async function writeAccess(tx: Tx, membershipId: string, access: UserAccess) {
  await tx.membershipSalesUnit.deleteMany({ where: { membershipId } });
  if (access.salesUnitIds.length > 0) {
    await tx.membershipSalesUnit.createMany({ data: access.salesUnitIds.map((salesUnitId) => ({ membershipId, salesUnitId })) });
  }
  return tx.membership.update({ where: { id: membershipId }, data: { role: access.role, permissions: [...access.permissions] } });
}

/** What an access event says: the membership and its access, by public ids (never the person's name or NIN). */
function accessFacts(membershipId: string, access: UserAccess) {
  return {
    membershipId: publicId("Membership", membershipId),
    role: access.role,
    permissions: [...access.permissions],
    salesUnitIds: access.salesUnitIds.map((id) => publicId("SalesUnit", id)),
  };
}

const COUNTRY_NAMES: Record<Country, string> = { NO: "Norwegian", DK: "Danish", FI: "Finnish", SE: "Swedish" };

export interface PersonKey {
  country: Country;
  nin?: string | null;
  phoneNumber?: string | null;
}

/** The person in the population register that the NIN or mobile number names. */
async function registeredPerson(tx: Tx, key: PersonKey, now: Date) {
  const { country } = key;
  if (key.nin && key.phoneNumber) throw new ValidationError("Give either the NIN or the mobile number, not both.", "phoneNumber");
  if (key.nin) {
    const nin = parseNin(country, key.nin, now).nin;
    const person = await tx.registerPerson.findUnique({ where: { nin } });
    if (!person || person.country !== country) {
      throw new ValidationError(`No person with this NIN is in the ${COUNTRY_NAMES[country]} population register: check the number and the country.`, "nin");
    }
    return { ...person, phoneNumber: null, addedBy: "nin" as const };
  }
  if (country === "SE") {
    throw new ValidationError("Swedish users are added with their personnummer: enter the NIN (they log in with BankID by it).", "nin");
  }
  if (!key.phoneNumber) {
    throw new ValidationError("Enter the person's NIN or, for Norwegian, Danish and Finnish users, their mobile number.", "nin");
  }
  const phoneNumber = parsePhoneNumber(key.phoneNumber, country).e164;
  const person = await tx.registerPerson.findFirst({ where: { phoneNumber, country } });
  if (!person) {
    throw new ValidationError(`No person with this mobile number is in the ${COUNTRY_NAMES[country]} population register: check the number, or add the person by NIN.`, "phoneNumber");
  }
  return { ...person, phoneNumber, addedBy: "phoneNumber" as const };
}

/**
 * The portal user for a register person, created on first use. The NIN is stored even when the person was added
 * by phone, because the national eID logs people in by it.
 *
 * The person is found by the NIN the register gives, never by a stored mobile number: numbers move between people,
 * and a portal user's number is what the register said when they were added. Matching on it could hand an access
 * (an Administrator's, say) to whoever held the number before. The number now belongs to the register's person, so
 * a portal user still holding it has it cleared, and the person's own record takes it.
 */
async function portalUserFor(tx: Tx, person: Awaited<ReturnType<typeof registeredPerson>>) {
  if (person.phoneNumber) {
    await tx.portalUser.updateMany({ where: { phoneNumber: person.phoneNumber, NOT: { nin: person.nin } }, data: { phoneNumber: null } });
  }
  const existing = await tx.portalUser.findUnique({ where: { nin: person.nin } });
  if (existing) {
    if (!person.phoneNumber || existing.phoneNumber === person.phoneNumber) return { user: existing, created: false };
    return { user: await tx.portalUser.update({ where: { id: existing.id }, data: { phoneNumber: person.phoneNumber } }), created: false };
  }
  const user = await tx.portalUser.create({ data: { name: person.name, country: person.country, nin: person.nin, phoneNumber: person.phoneNumber } });
  return { user, created: true };
}

export interface AddUserInput extends PersonKey, UserAccess {
  merchantId: string;
}

export async function addUser(deps: Services, caller: Caller, input: AddUserInput) {
  const now = deps.clock.now();
  try {
    return await deps.db.$transaction(async (tx) => {
      await lockMerchant(tx, input.merchantId);
      const person = await registeredPerson(tx, input, now);
      const access = await checkedAccess(tx, input.merchantId, input);
      const { user, created } = await portalUserFor(tx, person);
      const existing = await tx.membership.findUnique({ where: { userId_merchantId: { userId: user.id, merchantId: input.merchantId } } });
      if (existing) {
        throw new ConflictError("This person already has access to the merchant: change their permissions instead.", person.addedBy);
      }
      const membership = await tx.membership.create({ data: { userId: user.id, merchantId: input.merchantId, role: access.role, permissions: [] } });
      const written = await writeAccess(tx, membership.id, access);
      await recordChange(tx, caller, {
        merchantId: input.merchantId,
        action: "user.add",
        objectType: "PortalUser",
        objectId: user.id,
        data: { membershipId: membership.id, role: access.role, permissions: [...access.permissions], salesUnitIds: [...access.salesUnitIds], country: user.country, addedBy: person.addedBy, newUser: created },
        event: { type: "user.ADDED", salesUnitId: null, payload: accessFacts(membership.id, access) },
      });
      return written;
    });
  } catch (error) {
    // Two Administrators adding the same new person at once: the loser sees what a retry would show.
    if (isUniqueViolation(error)) throw new ConflictError("This person was just added by someone else: reload the list of users.", input.nin ? "nin" : "phoneNumber");
    throw error;
  }
}

export interface UpdateUserPermissionsInput extends UserAccess {
  membershipId: string;
}

export async function updateUserPermissions(deps: Services, caller: Caller, input: UpdateUserPermissionsInput) {
  const updated = await deps.db.$transaction(async (tx) => {
    const membership = await lockedMembership(tx, input.membershipId);
    const access = await checkedAccess(tx, membership.merchantId, input);
    if (membership.role === "ADMINISTRATOR" && access.role !== "ADMINISTRATOR") await assertAnotherAdministrator(tx, membership.merchantId, [membership.id]);
    const before = await tx.membershipSalesUnit.findMany({ where: { membershipId: membership.id }, select: { salesUnitId: true } });
    const written = await writeAccess(tx, membership.id, access);
    await recordChange(tx, caller, {
      merchantId: membership.merchantId,
      action: "user.updatePermissions",
      objectType: "PortalUser",
      objectId: membership.userId,
      data: {
        membershipId: membership.id,
        before: { role: membership.role, permissions: membership.permissions, salesUnitIds: before.map((row) => row.salesUnitId) },
        after: { role: access.role, permissions: [...access.permissions], salesUnitIds: [...access.salesUnitIds] },
      },
      event: { type: "user.PERMISSIONS_UPDATED", salesUnitId: null, payload: accessFacts(membership.id, access) },
    });
    return written;
  });
  // The caller's own access may have changed: the resolver reloads it (the service leaves the request alone).
  return updated;
}

export async function removeUser(deps: Services, caller: Caller, membershipId: string) {
  const now = deps.clock.now();
  const removed = await deps.db.$transaction(async (tx) => {
    const membership = await lockedMembership(tx, membershipId);
    if (membership.role === "ADMINISTRATOR") await assertAnotherAdministrator(tx, membership.merchantId, [membership.id]);
    await tx.membership.delete({ where: { id: membership.id } });
    await endSubscriptionsOf(tx, caller.actor, membership.userId, [membership.merchantId], now);
    await recordChange(tx, caller, {
      merchantId: membership.merchantId,
      action: "user.remove",
      objectType: "PortalUser",
      objectId: membership.userId,
      data: { membershipId: membership.id, role: membership.role },
      event: { type: "user.REMOVED", salesUnitId: null, payload: { membershipId: publicId("Membership", membership.id) } },
    });
    return { membershipId: membership.id, userId: membership.userId };
  });
  return removed;
}

export interface TransferAdministratorInput {
  merchantId: string;
  /** An existing member to promote… */
  toMembershipId?: string | null;
  /** …or a person from the population register, added to the merchant if needed. */
  nin?: string | null;
  country?: Country | null;
  /** What the current Administrators become; null removes their access. */
  formerAdministratorRole?: Role | null;
}

/**
 * Customer service's hand-over of the Administrator role, for when the sole Administrator has left: promotes one
 * person and demotes (to a role without sales units, for an Administrator to fill in) or removes the others.
 */
export async function transferAdministrator(deps: Services, caller: Caller, input: TransferAdministratorInput) {
  const now = deps.clock.now();
  if (Boolean(input.toMembershipId) === Boolean(input.nin)) {
    throw new ValidationError("Name the new Administrator either by an existing user access (toMembershipId) or by NIN, not both.", "toMembershipId");
  }
  return deps.db.$transaction(async (tx) => {
    await lockMerchant(tx, input.merchantId);
    const target = input.toMembershipId ? await memberOf(tx, input.merchantId, input.toMembershipId) : await memberByNin(tx, input, now);
    const former = await tx.membership.findMany({ where: { merchantId: input.merchantId, role: "ADMINISTRATOR", id: { not: target.id } } });
    const formerIds = former.map((membership) => membership.id);
    const formerRole = input.formerAdministratorRole ?? null;
    if (formerRole === null) {
      await tx.membership.deleteMany({ where: { id: { in: formerIds } } });
      for (const membership of former) await endSubscriptionsOf(tx, caller.actor, membership.userId, [input.merchantId], now);
    } else if (formerRole !== "ADMINISTRATOR") {
      await tx.membership.updateMany({ where: { id: { in: formerIds } }, data: { role: formerRole, permissions: [] } });
    }
    const promoted = await writeAccess(tx, target.id, { role: "ADMINISTRATOR", permissions: [], salesUnitIds: [] });
    await recordChange(tx, caller, {
      merchantId: input.merchantId,
      action: "user.transferAdministrator",
      objectType: "PortalUser",
      objectId: target.userId,
      data: { membershipId: target.id, formerMembershipIds: formerIds, formerAdministrators: formerRole ?? "REMOVED" },
      event: {
        type: "user.ADMINISTRATOR_TRANSFERRED",
        salesUnitId: null,
        payload: {
          membershipId: publicId("Membership", target.id),
          formerMembershipIds: formerIds.map((id) => publicId("Membership", id)),
          formerAdministrators: formerRole ?? "REMOVED",
        },
      },
    });
    return promoted;
  });
}

async function memberOf(tx: Tx, merchantId: string, membershipId: string) {
  const membership = isUuid(membershipId) ? await tx.membership.findFirst({ where: { id: membershipId, merchantId } }) : null;
  if (!membership) throw new NotFoundError("user access");
  return membership;
}

async function memberByNin(tx: Tx, input: TransferAdministratorInput, now: Date) {
  if (!input.country) throw new ValidationError("Give the country whose rules the NIN follows.", "country");
  const person = await registeredPerson(tx, { country: input.country, nin: input.nin }, now);
  const { user } = await portalUserFor(tx, person);
  const existing = await tx.membership.findUnique({ where: { userId_merchantId: { userId: user.id, merchantId: input.merchantId } } });
  return existing ?? tx.membership.create({ data: { userId: user.id, merchantId: input.merchantId, role: "ADMINISTRATOR", permissions: [] } });
}

/** What audit rows and payment histories show instead of the name of a person who was anonymised. */
export const ANONYMISED_LABEL = "Anonymised user";

/**
 * "Delete everything about me": blanks the person's name, NIN, phone and e-mail and removes their accesses. The
 * audit trail keeps its rows (they name people by id) but loses the name it showed for the person's own actions,
 * as do the operations they made on payments.
 */
export async function anonymizeUser(deps: Services, caller: Caller, userId: string) {
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx) => {
    // Locks in the order every other change of people takes them, merchants (in id order) before a person's row, so
    // none of them can deadlock with this: the merchants the person belongs to now, then the person's row. A
    // membership being added for them meanwhile (its foreign key check) waits for the row lock or is committed
    // before it, so the accesses read under it are all there are until this commits.
    const before = isUuid(userId) ? await tx.membership.findMany({ where: { userId }, select: { merchantId: true } }) : [];
    const locked = new Set(before.map((m) => m.merchantId));
    for (const merchantId of [...locked].sort()) await lockMerchant(tx, merchantId);
    const found = (await lockRow(tx, "PortalUser", userId))
      ? await tx.portalUser.findUnique({
          where: { id: userId },
          include: { memberships: { select: { merchantId: true, acceptedAt: true } }, agreements: { where: { status: { in: ["DRAFT", "SUBMITTED"] } }, select: { id: true } } },
        })
      : null;
    if (!found) throw new NotFoundError("user");
    if (found.anonymizedAt) throw new InvalidStateError("This user's personal data has already been deleted.");
    // Asked again with those accesses: the check before the mutation ran saw them as they were then, and a merchant
    // may have added the person since (whose Administrator the caller may not be).
    const person = { memberships: found.memberships.map((m) => ({ merchantId: m.merchantId, accepted: m.acceptedAt !== null })), applying: found.agreements.length > 0 };
    if (!mayAnonymize(caller, userId, person)) throw new ForbiddenError();
    // A merchant that added the person since the first read (customer service may anonymise anyone).
    for (const merchantId of found.memberships.map((m) => m.merchantId).filter((id) => !locked.has(id)).sort()) await lockMerchant(tx, merchantId);
    const memberships = await tx.membership.findMany({ where: { userId }, orderBy: { merchantId: "asc" } });
    for (const membership of memberships) {
      if (membership.role === "ADMINISTRATOR") await assertAnotherAdministrator(tx, membership.merchantId, [membership.id]);
    }
    await tx.membership.deleteMany({ where: { userId } });
    await endSubscriptionsOf(tx, caller.actor, userId, null, now);
    if (found.email) {
      await tx.merchantAgreement.updateMany({ where: { applicantId: userId, contactEmail: { equals: found.email, mode: "insensitive" } }, data: { contactEmail: null } });
      // The person's own address on the (now ended) subscriptions they made, and where older audit rows kept it whole.
      const masked = maskEmail(found.email);
      await tx.reportSubscription.updateMany({ where: { createdById: userId, email: { equals: found.email, mode: "insensitive" } }, data: { email: masked } });
      await tx.$executeRaw`UPDATE "AuditEvent" SET data = jsonb_set(data, '{email}', to_jsonb(${masked}::text))
        WHERE "objectType" = 'ReportSubscription' AND lower(data->>'email') = lower(${found.email})`;
    }
    const user = await tx.portalUser.update({ where: { id: userId }, data: { name: null, nin: null, phoneNumber: null, email: null, anonymizedAt: now } });
    const actor = caller.actor;
    for (const merchantId of memberships.length > 0 ? memberships.map((m) => m.merchantId) : [null]) {
      const membershipIds = memberships.filter((m) => m.merchantId === merchantId).map((m) => m.id);
      await recordChange(tx, actor, {
        merchantId,
        action: "user.anonymize",
        objectType: "PortalUser",
        objectId: userId,
        data: { membershipIds },
        event: { type: "user.ANONYMISED", salesUnitId: null, payload: { membershipIds: membershipIds.map((id) => publicId("Membership", id)) } },
      });
    }
    // Last, so it also covers the rows above when the person deletes themself.
    await tx.auditEvent.updateMany({ where: { actorKind: "USER", actorId: userId }, data: { actorLabel: ANONYMISED_LABEL } });
    await tx.transactionOperation.updateMany({ where: { actorKind: "USER", actorId: userId }, data: { actorLabel: ANONYMISED_LABEL } });
    return user;
  });
  return result;
}

/** Test users per merchant (docs/public-contract.md#people-nins-phones-countries). */
export const TEST_USER_LIMIT = 10;

/** A generated test-environment customer in the merchant's market; the merchant row lock keeps the cap exact. */
export async function createTestUser(deps: Services, caller: Caller, merchantId: string) {
  return deps.db.$transaction(async (tx) => {
    const merchant = await lockMerchant(tx, merchantId);
    if ((await tx.testUser.count({ where: { merchantId } })) >= TEST_USER_LIMIT) {
      throw new LimitReachedError(`This merchant already has the maximum of ${TEST_USER_LIMIT} test users: use one of them, or contact customer service.`, TEST_USER_LIMIT);
    }
    const testUser = await tx.testUser.create({
      data: { merchantId, phoneNumber: await unusedPhoneNumber(tx, merchant.country), nin: generateNin(merchant.country, secureRng) },
    });
    await recordChange(tx, caller, { merchantId, action: "testUser.create", objectType: "TestUser", objectId: testUser.id, event: { type: "testUser.CREATED", salesUnitId: null } });
    return testUser;
  });
}

/** A test user's number must reach only that test user, so it is unused by other test users and real users. */
async function unusedPhoneNumber(tx: Tx, country: Country): Promise<string> {
  for (;;) {
    const phoneNumber = generatePhoneNumber(country, secureRng);
    const taken = (await tx.testUser.count({ where: { phoneNumber } })) + (await tx.portalUser.count({ where: { phoneNumber } }));
    if (taken === 0) return phoneNumber;
  }
}

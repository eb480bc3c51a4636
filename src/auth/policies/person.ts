/**
 * Who sees a person (PortalUser) and their accesses (Membership), who changes an access and who anonymises a person.
 * A person is seen by themself, the Administrators of a merchant they belong to, and customer service.
 */
import type { Prisma } from "../../generated/prisma/client";
import { any, toPrismaWhere, toSql, type Condition, type SqlParams } from "../../db/conditions";
import { administeredMerchants, administeredMerchantsWhere, administersOrOperates } from "./merchant";
import { isOperator, isUser, type Who } from "./who";

export interface PersonWithMemberships {
  id: string;
  memberships: readonly { merchantId: string; acceptedAt: Date | null }[];
}

/**
 * May the caller read this person: themself, an Administrator of a shared merchant, an operator. With
 * `acceptedOnly`, an Administrator counts only for memberships the person has accepted (register data: name, NIN,
 * phone, e-mail stay hidden until the person logs in holding the access).
 */
export function canReadPerson(who: Who, person: PersonWithMemberships, options: { acceptedOnly?: boolean } = {}): boolean {
  if (isOperator(who) || isUser(who, person.id)) return true;
  return person.memberships.some(
    (m) => (!options.acceptedOnly || m.acceptedAt !== null) && who.access.canOnWholeMerchant("ADMINISTER_MERCHANT", m.merchantId),
  );
}

/**
 * `canReadPerson(who, person, { acceptedOnly: true })` as SQL over the PortalUser row aliased `user`: where it is
 * false, the person's register data (name, NIN, phone, e-mail) is hidden, and so must be its place in any order.
 */
export function registerDataReadableSql(who: Who, user: string, params: SqlParams): string {
  if (isOperator(who)) return "TRUE";
  const himself = who.principal?.kind === "USER" ? `${user}.id = ${params.add(who.principal.id, "uuid")}` : "FALSE";
  const administered = toSql(administeredMerchants(who), "accepted", { merchantId: "uuid" }, params);
  return (
    `(${himself} OR EXISTS (SELECT 1 FROM "Membership" accepted WHERE accepted."userId" = ${user}.id ` +
    `AND accepted."acceptedAt" IS NOT NULL AND ${administered}))`
  );
}

/** The PortalUser rows `canReadPerson` allows. */
export function personWhere(who: Who): Prisma.PortalUserWhereInput {
  if (isOperator(who)) return {};
  const administered: Prisma.PortalUserWhereInput = { memberships: { some: administeredMerchantsWhere(who) } };
  return who.principal?.kind === "USER" ? { OR: [{ id: who.principal.id }, administered] } : administered;
}

/** May the caller see this access: the person themself, an Administrator of its merchant, an operator. */
export function canSeeMembership(who: Who, membership: { userId: string; merchantId: string }): boolean {
  return isUser(who, membership.userId) || administersOrOperates(who, membership.merchantId);
}

/** The Membership rows `canSeeMembership` allows. */
export function visibleMemberships(who: Who): Condition {
  const administered = administeredMerchants(who);
  return who.principal?.kind === "USER" ? any([{ field: "userId", eq: who.principal.id }, administered]) : administered;
}

export function membershipWhere(who: Who): Record<string, unknown> {
  return toPrismaWhere(visibleMemberships(who));
}

/**
 * May the caller change or remove an access: an Administrator of its merchant (not customer service, which hands
 * over a sole Administrator's role with `transferAdministrator`). `merchantId` null: no such access, refused alike.
 */
export function mayAdministerMembership(who: Who, merchantId: string | null): boolean {
  return merchantId !== null && who.access.canOnWholeMerchant("ADMINISTER_MERCHANT", merchantId);
}

/** What decides who may anonymise a person: their accesses, and whether they are applying for a merchant of their own. */
export interface PersonForAnonymizing {
  memberships: readonly { merchantId: string; accepted: boolean }[];
  /** A merchant agreement of theirs still in DRAFT or SUBMITTED. */
  applying: boolean;
}

/**
 * May the caller anonymise a person: the person themself, an operator, or an Administrator of every merchant the
 * person belongs to, and only of a person who is wholly their company's: with at least one access, every access
 * accepted (they logged in holding it), and no application of their own under way. Erasure ends a person's whole
 * identity, beyond the merchant: an Administrator who could add anyone by national id and erase them at once could
 * destroy a stranger's login and application; such a person asks customer service, or does it themself.
 */
export function mayAnonymize(who: Who, userId: string, person: PersonForAnonymizing): boolean {
  if (isOperator(who) || isUser(who, userId)) return true;
  const { memberships, applying } = person;
  if (memberships.length === 0 || applying || memberships.some((m) => !m.accepted)) return false;
  return memberships.every((m) => who.access.canOnWholeMerchant("ADMINISTER_MERCHANT", m.merchantId));
}

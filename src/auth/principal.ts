/**
 * Turns a verified token into the principal it speaks for and that principal's reach (`Access`), reading the
 * current memberships, partner links and keys from the database so a revoked permission takes effect at once.
 */
import type { Country, LoginMethod, PartnerScope } from "../generated/prisma/enums";
import { Prisma } from "../generated/prisma/client";
import { uuidOrNil } from "../domain/ids";
import type { Db } from "../db/client";
import { AuthenticationError, ForbiddenError } from "./errors";
import { isLoginMethodAllowed } from "./login-methods";
import { Access, apiKeyGrant, membershipGrant, operatorGrant, partnerGrants, type MembershipInput } from "./permissions";
import type { ApiKeyGenerations, VerifiedToken } from "./tokens";

export type Principal =
  | { kind: "USER"; id: string; label: string; country: Country; method: LoginMethod; expiresAt: Date }
  | { kind: "PARTNER"; id: string; label: string; partnerKeyId: string; scopes: PartnerScope[]; expiresAt: Date }
  | { kind: "API_KEY"; id: string; label: string; salesUnitId: string; merchantId: string; expiresAt: Date }
  | { kind: "OPERATOR"; id: string; label: string; expiresAt: Date };

export interface Authenticated {
  principal: Principal;
  access: Access;
}

export async function resolvePrincipal(db: Db, token: VerifiedToken, options: { msn?: string | null } = {}): Promise<Authenticated> {
  switch (token.kind) {
    case "user":
    case "external_user": {
      // Logging in is the person taking up the accesses merchants gave them: from now on those merchants see who they
      // are. Only the accesses given before the login (the token's iat, in whole seconds) are taken up: a request with
      // an older token, which a live dashboard keeps making, takes up nothing, so adding someone by phone number does
      // not show the adder who they are until they log in again.
      const loggedInBy = token.issuedAt;
      const user = await loadUserWithMemberships(db, token.kind === "user" ? { id: token.userId } : { nin: token.nin }, loggedInBy);
      if (!user || user.anonymizedAt) throw new AuthenticationError("This login is no longer valid: the user does not exist.");
      assertLoginAllowed(user.country, token.method, user.memberships.length);
      if (user.hasPendingMemberships) {
        await db.membership.updateMany({ where: { userId: user.id, acceptedAt: null, createdAt: { lt: loggedInBy } }, data: { acceptedAt: new Date() } });
      }
      return {
        principal: { kind: "USER", id: user.id, label: user.name ?? "Portal user", country: user.country, method: token.method, expiresAt: token.expiresAt },
        access: new Access(user.memberships.map(membershipGrant)),
      };
    }
    case "partner": {
      const key = await loadPartnerKey(db, token.partnerKeyId);
      if (!key || key.revokedAt) throw new AuthenticationError("These partner keys have been revoked: get new keys.");
      // A token never carries more than its keys grant now, even if the keys lost scopes after it was issued.
      const scopes = token.scopes.filter((scope) => key.scopes.includes(scope));
      let units = key.units;
      if (options.msn) {
        units = units.filter((unit) => unit.msn === options.msn);
        if (units.length === 0) throw new ForbiddenError(`Sales unit ${options.msn} is not linked to your partner account.`);
      }
      return {
        principal: { kind: "PARTNER", id: key.partnerId, label: key.partnerName, partnerKeyId: key.id, scopes, expiresAt: token.expiresAt },
        access: new Access(partnerGrants(scopes, units)),
      };
    }
    case "merchant_key": {
      const unit = await loadApiKeysUnit(db, token.apiKeysId);
      if (!unit) throw new AuthenticationError("These API keys no longer exist.");
      if (rotatedSince(token.issuedUnder, unit)) throw new AuthenticationError("These API keys were rotated after this token was issued: get a new token with the current keys.");
      // Checked per request, not only when the token was issued: deactivation takes effect at once.
      if (unit.status === "DEACTIVATED") throw new AuthenticationError("The sales unit of these API keys is deactivated.");
      if (options.msn && options.msn !== unit.msn) throw new ForbiddenError(`These API keys belong to sales unit ${unit.msn}, not ${options.msn}.`);
      return {
        principal: { kind: "API_KEY", id: token.apiKeysId, label: `API keys of ${unit.msn}`, salesUnitId: unit.id, merchantId: unit.merchantId, expiresAt: token.expiresAt },
        access: new Access([apiKeyGrant(unit)]),
      };
    }
    case "operator": {
      const operator = await db.operator.findUnique({ where: { id: token.operatorId } });
      if (!operator) throw new AuthenticationError("This operator account no longer exists.");
      return {
        principal: { kind: "OPERATOR", id: operator.id, label: operator.name, expiresAt: token.expiresAt },
        access: new Access([operatorGrant]),
      };
    }
  }
}

/**
 * What a portal user may do now, read afresh, for work done on their behalf without a request (e.g. mailing a
 * report they subscribed to); null when the user no longer exists or was anonymised.
 */
export async function currentUserAccess(db: Db, userId: string): Promise<Access | null> {
  const user = await loadUserWithMemberships(db, { id: userId });
  return user && !user.anonymizedAt ? new Access(user.memberships.map(membershipGrant)) : null;
}

interface UserWithMemberships {
  id: string;
  name: string | null;
  country: Country;
  anonymizedAt: Date | null;
  hasPendingMemberships: boolean;
  memberships: MembershipInput[];
}

/**
 * The user and every membership with its sales units, in one statement: this runs on every request of a portal
 * user, and Prisma's include would take three round trips.
 */
async function loadUserWithMemberships(db: Db, by: { id: string } | { nin: string }, loggedInBy: Date | null = null): Promise<UserWithMemberships | null> {
  const condition = "id" in by ? Prisma.sql`u.id = ${uuidOrNil(by.id)}::uuid` : Prisma.sql`u.nin = ${by.nin}`;
  const rows = await db.$queryRaw<UserWithMemberships[]>`
    SELECT u.id, u.name, u.country::text AS country, u."anonymizedAt",
      COALESCE(bool_or(m.id IS NOT NULL AND m."acceptedAt" IS NULL AND m."createdAt" < (${(loggedInBy ?? new Date(0)).toISOString()}::timestamptz AT TIME ZONE 'UTC')), false) AS "hasPendingMemberships",
      COALESCE(json_agg(json_build_object(
        'merchantId', m."merchantId",
        'role', m.role,
        'permissions', m.permissions,
        'salesUnitIds', (SELECT COALESCE(json_agg(s."salesUnitId"), '[]'::json) FROM "MembershipSalesUnit" s WHERE s."membershipId" = m.id)
      )) FILTER (WHERE m.id IS NOT NULL), '[]'::json) AS memberships
    FROM "PortalUser" u LEFT JOIN "Membership" m ON m."userId" = u.id
    WHERE ${condition}
    GROUP BY u.id`;
  return rows[0] ?? null;
}

interface PartnerKeyWithUnits {
  id: string;
  partnerId: string;
  partnerName: string;
  scopes: PartnerScope[];
  revokedAt: Date | null;
  units: { id: string; merchantId: string; msn: string }[];
}

/** Partner keys with the partner's linked sales units, in one statement (machine clients call often). */
async function loadPartnerKey(db: Db, partnerKeyId: string): Promise<PartnerKeyWithUnits | null> {
  const rows = await db.$queryRaw<PartnerKeyWithUnits[]>`
    SELECT k.id, k."partnerId", p.name AS "partnerName", k.scopes::text[] AS scopes, k."revokedAt",
      COALESCE(json_agg(json_build_object('id', s.id, 'merchantId', s."merchantId", 'msn', s.msn)) FILTER (WHERE s.id IS NOT NULL), '[]'::json) AS units
    FROM "PartnerKey" k JOIN "Partner" p ON p.id = k."partnerId" LEFT JOIN "SalesUnit" s ON s."partnerId" = p.id
    WHERE k.id = ${uuidOrNil(partnerKeyId)}::uuid
    GROUP BY k.id, p.name`;
  return rows[0] ?? null;
}

interface KeyGenerations {
  secretGeneration: number;
  primaryKeyGeneration: number;
  secondaryKeyGeneration: number;
}

/**
 * Whether the client secret, or the subscription key the token was issued with, has been rotated since: then the
 * token ends with it (the other subscription key's rotation leaves it alone). A token that names no key (issued
 * before keys were recorded) ends with any rotation.
 */
export function rotatedSince(issuedUnder: ApiKeyGenerations, keys: KeyGenerations): boolean {
  if (keys.secretGeneration !== issuedUnder.secret) return true;
  switch (issuedUnder.subscriptionKey) {
    case "primary":
      return keys.primaryKeyGeneration !== issuedUnder.key;
    case "secondary":
      return keys.secondaryKeyGeneration !== issuedUnder.key;
    case null:
      return keys.primaryKeyGeneration !== 0 || keys.secondaryKeyGeneration !== 0;
  }
}

/** The sales unit a set of merchant API keys belongs to, with the keys' rotation generations, in one statement. */
async function loadApiKeysUnit(db: Db, apiKeysId: string) {
  const rows = await db.$queryRaw<({ id: string; merchantId: string; msn: string; status: string } & KeyGenerations)[]>`
    SELECT s.id, s."merchantId", s.msn, s.status::text AS status, k."secretGeneration", k."primaryKeyGeneration", k."secondaryKeyGeneration"
    FROM "ApiKeys" k JOIN "SalesUnit" s ON s.id = k."salesUnitId"
    WHERE k.id = ${uuidOrNil(apiKeysId)}::uuid`;
  return rows[0] ?? null;
}

/**
 * The login method must be one the person's country allows, and a Swedish person may log in only
 * after a merchant has added them.
 */
export function assertLoginAllowed(country: Country, method: LoginMethod, membershipCount: number): void {
  if (!isLoginMethodAllowed(country, method)) {
    throw new AuthenticationError(`Login with ${method} is not available for users from ${country}.`);
  }
  if (country === "SE" && membershipCount === 0) {
    throw new AuthenticationError("Swedish users can log in only after a merchant has added them. Ask your merchant to add you.");
  }
}

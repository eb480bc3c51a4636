/**
 * Changes to sales units and what hangs off them (API keys, Login). Each runs in one database transaction with
 * its audit row. Permission checks happen before these are called (Pothos scopes); these enforce the rules that
 * depend on the unit's state.
 */
import type { Prisma, ProductType, SettlementFrequency } from "../generated/prisma/client";
import type { Tx } from "../db/client";
import { lockRow } from "../db/locks";
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { InvalidStateError, NotFoundError } from "../domain/errors";
import { NAME_LIMITS, validateName, validateSettlementAccount } from "../domain/identifiers";
import { validateHttpsUrl, validateRedirectUris } from "../domain/urls";
import { assertNotDeactivated } from "../domain/sales-unit";
import { currencyForCountry } from "../domain/money";
import { randomInt } from "node:crypto";
import { decryptSecret, digestKey, encryptSecret, generateClientId, generateSecret } from "../auth/secrets";
import { actorOf, recordAudit } from "./audit";
import { recordChange } from "./changes";

/** Locks the sales unit row for the rest of the transaction, so checks on its state hold until commit. */
export async function lockedUnit(tx: Tx, salesUnitId: string) {
  if (!(await lockRow(tx, "SalesUnit", salesUnitId))) throw new NotFoundError("sales unit");
  return tx.salesUnit.findUniqueOrThrow({ where: { id: salesUnitId }, include: { merchant: { select: { country: true } } } });
}

/** Whether the unit has a recurring application waiting for customer service. */
export async function hasPendingRecurringRequest(tx: Tx, salesUnitId: string): Promise<boolean> {
  return (await tx.recurringRequest.findFirst({ where: { salesUnitId, status: "PENDING" }, select: { id: true } })) !== null;
}

/** Whether an order for `product` on the unit is still open (submitted or in progress). */
export async function hasOpenProductOrder(tx: Tx, salesUnitId: string, product: ProductType): Promise<boolean> {
  return (await tx.productOrder.findFirst({ where: { salesUnitId, product, status: { in: ["SUBMITTED", "IN_PROGRESS"] } }, select: { id: true } })) !== null;
}

function assertChangeable(unit: { environment: string; status: string }) {
  if (unit.environment === "TEST") {
    throw new InvalidStateError("A test sales unit cannot be changed after it is created. Create a new test sales unit instead.");
  }
  assertNotDeactivated(unit, "it can no longer be changed");
}

export interface SalesUnitChanges {
  name?: string | null;
  logoUrl?: string | null;
  settlementFrequency?: SettlementFrequency | null;
}

export async function updateSalesUnit(deps: Services, caller: Caller, salesUnitId: string, changes: SalesUnitChanges) {
  const data: Prisma.SalesUnitUpdateInput = {};
  if (changes.name != null) data.name = validateName(changes.name, "name", NAME_LIMITS.salesUnit.min, NAME_LIMITS.salesUnit.max);
  if (changes.logoUrl !== undefined) data.logoUrl = changes.logoUrl === null ? null : validateHttpsUrl(changes.logoUrl, "logoUrl");
  if (changes.settlementFrequency != null) data.settlementFrequency = changes.settlementFrequency;
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, salesUnitId);
    assertChangeable(unit);
    const updated = await tx.salesUnit.update({ where: { id: salesUnitId }, data });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "salesUnit.update",
      objectType: "SalesUnit",
      objectId: unit.id,
      data: { before: pick(unit, Object.keys(data)), after: pick(updated, Object.keys(data)) } as Prisma.InputJsonValue,
      event: { type: "salesUnit.UPDATED", salesUnitId: unit.id, payload: { fields: Object.keys(data), ...(pick(updated, Object.keys(data)) as Record<string, Prisma.InputJsonValue | null>) } },
    });
    return updated;
  });
}

export async function updateSettlementAccount(deps: Services, caller: Caller, salesUnitId: string, account: string) {
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, salesUnitId);
    assertChangeable(unit);
    const settlementAccount = validateSettlementAccount(unit.merchant.country, account);
    const updated = await tx.salesUnit.update({ where: { id: salesUnitId }, data: { settlementAccount } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "salesUnit.updateSettlementAccount",
      objectType: "SalesUnit",
      objectId: unit.id,
      data: { last4: settlementAccount.slice(-4) },
      event: { type: "salesUnit.SETTLEMENT_ACCOUNT_UPDATED", salesUnitId: unit.id, payload: { last4: settlementAccount.slice(-4) } },
    });
    return updated;
  });
}

export async function deactivateSalesUnit(deps: Services, caller: Caller, salesUnitId: string) {
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, salesUnitId);
    if (unit.status === "DEACTIVATED") throw new InvalidStateError("This sales unit is already deactivated.");
    const updated = await tx.salesUnit.update({ where: { id: salesUnitId }, data: { status: "DEACTIVATED", deactivatedAt: deps.clock.now() } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "salesUnit.deactivate",
      objectType: "SalesUnit",
      objectId: unit.id,
      event: { type: "salesUnit.DEACTIVATED", salesUnitId: unit.id, payload: { status: updated.status } },
    });
    return updated;
  });
}

export interface TestSalesUnitInput {
  merchantId: string;
  name: string;
  recurring: boolean;
  directCapture: boolean;
  skipLandingPage: boolean;
}

/** MSNs of new units: random 6 digits, retried on the rare collision (the column is unique). */
export async function freeMsn(tx: Tx): Promise<string> {
  for (;;) {
    const msn = String(randomInt(100_000, 1_000_000));
    if (!(await tx.salesUnit.findUnique({ where: { msn }, select: { id: true } }))) return msn;
  }
}

/**
 * A test sales unit starts PROVISIONING and is activated by the provisioning job, as the portal says ("after a
 * couple of minutes"). A creator who reaches only some sales units gets the new one added to their access.
 */
export async function createTestSalesUnit(deps: Services, caller: Caller, input: TestSalesUnitInput) {
  const name = validateName(input.name, "name", NAME_LIMITS.salesUnit.min, NAME_LIMITS.salesUnit.max);
  const unit = await deps.db.$transaction(async (tx) => {
    const merchant = await tx.merchant.findUnique({ where: { id: input.merchantId } });
    if (!merchant) throw new NotFoundError("merchant");
    const unit = await tx.salesUnit.create({
      data: {
        merchantId: merchant.id,
        msn: await freeMsn(tx),
        name,
        environment: "TEST",
        channel: "ONLINE",
        currency: currencyForCountry(merchant.country as "NO" | "DK" | "FI"),
        status: "PROVISIONING",
        recurring: input.recurring,
        directCapture: input.directCapture,
        skipLandingPage: input.skipLandingPage,
        paymentLinks: true,
        login: true,
      },
    });
    await tx.apiKeys.create({ data: { salesUnitId: unit.id, ...newKeyMaterial(deps.encryptionKey) } });
    if (caller.principal?.kind === "USER" && !caller.access.canOnWholeMerchant("VIEW_SALES_UNIT", merchant.id)) {
      const membership = await tx.membership.findUnique({ where: { userId_merchantId: { userId: caller.principal.id, merchantId: merchant.id } } });
      if (membership) await tx.membershipSalesUnit.create({ data: { membershipId: membership.id, salesUnitId: unit.id } });
    }
    await recordChange(tx, caller, {
      merchantId: merchant.id,
      action: "salesUnit.createTest",
      objectType: "SalesUnit",
      objectId: unit.id,
      data: { name, msn: unit.msn, recurring: input.recurring, directCapture: input.directCapture, skipLandingPage: input.skipLandingPage },
      event: { type: "salesUnit.CREATED", salesUnitId: unit.id, payload: salesUnitFacts(unit) },
    });
    return unit;
  });
  // The caller's access may now reach the new unit: the resolver reloads it.
  return unit;
}

/** How long a new test sales unit stays PROVISIONING. */
export const TEST_UNIT_PROVISIONING_MS = 5_000;

/** One pass of the provisioning job: activates test units that have waited long enough. */
export async function activateProvisionedTestUnits(deps: Pick<Services, "db" | "clock">): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.db.salesUnit.findMany({
    where: { environment: "TEST", status: "PROVISIONING", createdAt: { lte: new Date(now.getTime() - TEST_UNIT_PROVISIONING_MS) } },
    select: { id: true, merchantId: true },
  });
  for (const unit of due) {
    await deps.db.$transaction(async (tx) => {
      const { count } = await tx.salesUnit.updateMany({ where: { id: unit.id, status: "PROVISIONING" }, data: { status: "ACTIVE", activatedAt: now } });
      if (count === 0) return;
      await recordChange(tx, actorOf(null, null), {
        merchantId: unit.merchantId,
        action: "salesUnit.activate",
        objectType: "SalesUnit",
        objectId: unit.id,
        event: { type: "salesUnit.ACTIVATED", salesUnitId: unit.id, payload: { status: "ACTIVE" } },
      });
    });
  }
  return due.length;
}

export type ApiKeyPart = "CLIENT_SECRET" | "PRIMARY_SUBSCRIPTION_KEY" | "SECONDARY_SUBSCRIPTION_KEY";

/** A subscription key's two columns: the digest tokens are matched by, and the key encrypted so it can be shown again. */
function subscriptionKeyColumns<S extends "primary" | "secondary">(slot: S, key: string, encryptionKey: Buffer) {
  return {
    [`${slot}SubscriptionKey`]: digestKey(key),
    [`${slot}SubscriptionKeyEnc`]: encryptSecret(key, encryptionKey),
  } as Record<`${S}SubscriptionKey` | `${S}SubscriptionKeyEnc`, string>;
}

/** The columns of a sales unit's new API keys. */
export function newKeyMaterial(encryptionKey: Buffer) {
  return {
    clientId: generateClientId(),
    clientSecretEncrypted: encryptSecret(generateSecret(), encryptionKey),
    ...subscriptionKeyColumns("primary", generateSecret(), encryptionKey),
    ...subscriptionKeyColumns("secondary", generateSecret(), encryptionKey),
  };
}

export interface RevealedApiKeys {
  clientId: string;
  clientSecret: string;
  primarySubscriptionKey: string;
  secondarySubscriptionKey: string;
  rotatedAt: Date | null;
}

function reveal(keys: { clientId: string; clientSecretEncrypted: string; primarySubscriptionKeyEnc: string; secondarySubscriptionKeyEnc: string; rotatedAt: Date | null }, encryptionKey: Buffer): RevealedApiKeys {
  return {
    clientId: keys.clientId,
    clientSecret: decryptSecret(keys.clientSecretEncrypted, encryptionKey),
    primarySubscriptionKey: decryptSecret(keys.primarySubscriptionKeyEnc, encryptionKey),
    secondarySubscriptionKey: decryptSecret(keys.secondarySubscriptionKeyEnc, encryptionKey),
    rotatedAt: keys.rotatedAt,
  };
}

/** Showing the keys is a privileged act: it is audited like a change. */
export async function revealApiKeys(deps: Services, caller: Caller, salesUnitId: string): Promise<RevealedApiKeys> {
  return deps.db.$transaction(async (tx) => {
    const keys = await tx.apiKeys.findUnique({ where: { salesUnitId }, include: { salesUnit: { select: { merchantId: true } } } });
    if (!keys) throw new NotFoundError("API keys");
    await recordAudit(tx, caller, {
      merchantId: keys.salesUnit.merchantId,
      action: "apiKeys.reveal",
      objectType: "SalesUnit",
      objectId: salesUnitId,
    });
    return reveal(keys, deps.encryptionKey);
  });
}

/**
 * Replaces one part of the keys; the others keep working, so an integration can move to a new subscription key
 * while the other one still authenticates. The part's generation counts up, which ends the tokens issued under it:
 * every token after a secret rotation, the tokens issued with that subscription key after a key rotation.
 */
export async function rotateApiKeys(deps: Services, caller: Caller, salesUnitId: string, part: ApiKeyPart): Promise<RevealedApiKeys> {
  const { encryptionKey } = deps;
  const fresh = generateSecret();
  const data: Prisma.ApiKeysUpdateInput =
    part === "CLIENT_SECRET"
      ? { clientSecretEncrypted: encryptSecret(fresh, encryptionKey), secretGeneration: { increment: 1 } }
      : part === "PRIMARY_SUBSCRIPTION_KEY"
        ? { ...subscriptionKeyColumns("primary", fresh, encryptionKey), primaryKeyGeneration: { increment: 1 } }
        : { ...subscriptionKeyColumns("secondary", fresh, encryptionKey), secondaryKeyGeneration: { increment: 1 } };
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, salesUnitId);
    assertNotDeactivated(unit, "its keys cannot be rotated");
    const keys = await tx.apiKeys.update({ where: { salesUnitId }, data: { ...data, rotatedAt: deps.clock.now() } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "apiKeys.rotate",
      objectType: "SalesUnit",
      objectId: salesUnitId,
      data: { part },
      event: { type: "apiKeys.ROTATED", salesUnitId, payload: { part, rotatedAt: keys.rotatedAt?.toISOString() ?? null } },
    });
    return reveal(keys, encryptionKey);
  });
}

export async function setLoginRedirectUris(deps: Services, caller: Caller, salesUnitId: string, redirectUris: string[]) {
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, salesUnitId);
    assertNotDeactivated(unit, "its Login set-up cannot be changed");
    const uris = validateRedirectUris(redirectUris, unit.environment);
    const before = await tx.loginConfig.findUnique({ where: { salesUnitId } });
    // Switched-on Login always has somewhere to send users back to, as setLoginActivated requires.
    if (uris.length === 0 && before?.activated) {
      throw new InvalidStateError("Login is switched on for this sales unit, so it needs a redirect URI: switch Login off (setLoginActivated) before removing the last one.");
    }
    const config = await tx.loginConfig.upsert({
      where: { salesUnitId },
      create: { salesUnitId, redirectUris: uris },
      update: { redirectUris: uris },
    });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "login.setRedirectUris",
      objectType: "SalesUnit",
      objectId: salesUnitId,
      data: { before: before?.redirectUris ?? [], after: uris },
      event: { type: "login.REDIRECT_URIS_SET", salesUnitId, payload: { redirectUris: uris } },
    });
    // The first redirect URIs switch Login on, if the unit has the product; elsewhere they wait for it.
    const firstUris = (before?.redirectUris.length ?? 0) === 0;
    return firstUris ? ((await switchOnWaitingLogin(tx, caller, unit)) ?? config) : config;
  });
}

/**
 * Switches Login on for a unit that has the product and redirect URIs but has never had Login on with them: the
 * first URIs of a unit with Login, or URIs prepared before Login was ordered once the order is completed. Audited
 * and announced as `setLoginActivated` is; answers the changed set-up, or null when nothing was switched on.
 */
export async function switchOnWaitingLogin(tx: Tx, caller: Caller, unit: { id: string; merchantId: string; login: boolean }) {
  if (!unit.login) return null;
  const { count } = await tx.loginConfig.updateMany({ where: { salesUnitId: unit.id, activated: false, NOT: { redirectUris: { isEmpty: true } } }, data: { activated: true } });
  if (count === 0) return null;
  await recordChange(tx, caller, {
    merchantId: unit.merchantId,
    action: "login.activate",
    objectType: "SalesUnit",
    objectId: unit.id,
    data: { before: false, after: true },
    event: { type: "login.ACTIVATED", salesUnitId: unit.id, payload: { activated: true } },
  });
  return tx.loginConfig.findUniqueOrThrow({ where: { salesUnitId: unit.id } });
}

/** What a sales unit's creation announces: what `SalesUnit` shows every viewer. */
export function salesUnitFacts(unit: { msn: string; name: string; environment: string; channel: string; currency: string; status: string }) {
  return { msn: unit.msn, name: unit.name, environment: unit.environment, channel: unit.channel, currency: unit.currency, status: unit.status };
}

function pick(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, row[key] ?? null]));
}

/**
 * Partners as customer service manages them: which partner a sales unit is linked to (at most one, and only
 * customer service changes it) and the partner's client credentials. Each change runs in one database
 * transaction with its audit row.
 */
import type { PartnerScope } from "../generated/prisma/client";
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { digestKey, generateClientId, generateSecret, hashSecret } from "../auth/secrets";
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { isUuid } from "../domain/ids";
import { assertNotDeactivated } from "../domain/sales-unit";
import { lockRow } from "../db/locks";
import { publicId, recordChange } from "./changes";
import { lockedUnit } from "./sales-units";

/** Links the partner to the sales unit, replacing any other; `null` unlinks. The partner's access follows at once. */
export async function linkPartner(deps: Services, caller: Caller, salesUnitId: string, partnerId: string | null) {
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, salesUnitId);
    if (partnerId !== null) {
      const partner = isUuid(partnerId) ? await tx.partner.findUnique({ where: { id: partnerId }, select: { id: true } }) : null;
      if (!partner) throw new NotFoundError("partner");
      assertNotDeactivated(unit, "a partner cannot be linked to it");
    }
    const updated = await tx.salesUnit.update({ where: { id: unit.id }, data: { partnerId } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: partnerId === null ? "partner.unlink" : "partner.link",
      objectType: "SalesUnit",
      objectId: unit.id,
      data: { partnerId, previousPartnerId: unit.partnerId },
      event: {
        type: partnerId === null ? "salesUnit.PARTNER_UNLINKED" : "salesUnit.PARTNER_LINKED",
        salesUnitId: unit.id,
        payload: { partnerId: partnerId === null ? null : publicId("Partner", partnerId), previousPartnerId: unit.partnerId === null ? null : publicId("Partner", unit.partnerId) },
      },
    });
    return updated;
  });
}

/**
 * New client credentials for a partner, and the columns that keep them: the secret hashed, the subscription key as
 * a digest. scrypt is slow by design, so call this before a transaction opens, not while it holds a connection.
 */
export function newPartnerKeyMaterial() {
  const clientId = generateClientId();
  const clientSecret = generateSecret();
  const subscriptionKey = generateSecret();
  return {
    credentials: { clientId, clientSecret, subscriptionKey },
    stored: { clientId, clientSecretHash: hashSecret(clientSecret), subscriptionKey: digestKey(subscriptionKey) },
  };
}

export interface NewPartnerCredentials {
  partnerKeyId: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
}

/**
 * New client credentials for a partner. The secret is stored hashed and the subscription key as a digest, so
 * this answer is the only time either is seen.
 */
export async function createPartnerKeys(deps: Services, caller: Caller, partnerId: string, scopes: readonly PartnerScope[]): Promise<NewPartnerCredentials> {
  if (scopes.length === 0) throw new ValidationError("Choose at least one scope: keys without scopes reach nothing.", "scopes");
  const { credentials, stored } = newPartnerKeyMaterial();
  return deps.db.$transaction(async (tx) => {
    const partner = isUuid(partnerId) ? await tx.partner.findUnique({ where: { id: partnerId }, select: { id: true } }) : null;
    if (!partner) throw new NotFoundError("partner");
    const key = await tx.partnerKey.create({
      data: { partnerId, ...stored, scopes: [...new Set(scopes)] },
    });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "partnerKeys.create",
      objectType: "Partner",
      objectId: partnerId,
      data: { partnerKeyId: key.id, clientId: credentials.clientId, scopes: key.scopes },
      event: { type: "partnerKey.CREATED", salesUnitId: null, aggregateId: key.id, payload: { partnerId: publicId("Partner", partnerId), clientId: key.clientId, scopes: key.scopes } },
    });
    return { partnerKeyId: key.id, ...credentials };
  });
}

/** Revoked keys get no new tokens, and tokens already issued with them stop working at once. */
export async function revokePartnerKeys(deps: Services, caller: Caller, partnerKeyId: string) {
  return deps.db.$transaction(async (tx) => {
    if (!(await lockRow(tx, "PartnerKey", partnerKeyId))) throw new NotFoundError("partner keys");
    const key = await tx.partnerKey.findUniqueOrThrow({ where: { id: partnerKeyId } });
    if (key.revokedAt) throw new InvalidStateError("These partner keys are already revoked.");
    const revoked = await tx.partnerKey.update({ where: { id: key.id }, data: { revokedAt: deps.clock.now() } });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "partnerKeys.revoke",
      objectType: "Partner",
      objectId: key.partnerId,
      data: { partnerKeyId: key.id },
      event: { type: "partnerKey.REVOKED", salesUnitId: null, aggregateId: key.id, payload: { partnerId: publicId("Partner", key.partnerId), clientId: key.clientId } },
    });
    return revoked;
  });
}

/**
 * Login set-up beyond redirect URIs (those are in sales-units.ts): the marketing consents a user is asked for,
 * the terms and privacy pages, and switching Login on and off.
 */
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { InvalidStateError, ValidationError } from "../domain/errors";
import { validateText } from "../domain/identifiers";
import { assertNotDeactivated } from "../domain/sales-unit";
import { validateHttpsUrl } from "../domain/urls";
import type { ConsentType } from "../generated/prisma/enums";
import { recordChange } from "./changes";
import { lockedUnit } from "./sales-units";

export const CONSENT_TEXT_LIMITS = { min: 3, max: 500 } as const;

export interface ConsentInput {
  type: ConsentType;
  required: boolean;
  text: string;
}

export function validateConsents(consents: readonly ConsentInput[]): ConsentInput[] {
  if (consents.length === 0) {
    throw new ValidationError("Add at least one consent (EMAIL, SMS, DIGITAL or PERSONAL) with the text users see.", "consents");
  }
  const seen = new Set<ConsentType>();
  return consents.map((consent, i) => {
    if (seen.has(consent.type)) {
      throw new ValidationError(`${consent.type} is in the list twice: keep one ${consent.type} consent.`, `consents.${i}.type`);
    }
    seen.add(consent.type);
    const text = validateText(consent.text, `consents.${i}.text`, CONSENT_TEXT_LIMITS.min, CONSENT_TEXT_LIMITS.max, "consent text");
    return { type: consent.type, required: consent.required, text };
  });
}

export async function setLoginConsents(deps: Services, caller: Caller, input: { salesUnitId: string; consents: readonly ConsentInput[]; termsUrl: string; privacyUrl: string }) {
  const consents = validateConsents(input.consents);
  const termsUrl = validateHttpsUrl(input.termsUrl, "termsUrl");
  const privacyUrl = validateHttpsUrl(input.privacyUrl, "privacyUrl");
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, input.salesUnitId);
    assertNotDeactivated(unit, "its Login set-up cannot be changed");
    const before = await tx.loginConfig.findUnique({ where: { salesUnitId: unit.id }, include: { consents: { orderBy: { type: "asc" } } } });
    const config = await tx.loginConfig.upsert({
      where: { salesUnitId: unit.id },
      create: { salesUnitId: unit.id, redirectUris: [], termsUrl, privacyUrl },
      update: { termsUrl, privacyUrl },
    });
    await tx.loginConsent.deleteMany({ where: { loginConfigId: config.id } });
    await tx.loginConsent.createMany({ data: consents.map((consent) => ({ loginConfigId: config.id, ...consent })) });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "login.setConsents",
      objectType: "SalesUnit",
      objectId: unit.id,
      data: {
        before: before ? { termsUrl: before.termsUrl, privacyUrl: before.privacyUrl, consents: before.consents.map(({ type, required }) => ({ type, required })) } : null,
        after: { termsUrl, privacyUrl, consents: consents.map(({ type, required }) => ({ type, required })) },
      },
      event: { type: "login.CONSENTS_SET", salesUnitId: unit.id, payload: { termsUrl, privacyUrl, consents: consents.map(({ type, required }) => ({ type, required })) } },
    });
    return config;
  });
}

/** Switching Login on needs the Login product and somewhere to send users back to. */
export async function setLoginActivated(deps: Services, caller: Caller, input: { salesUnitId: string; activated: boolean }) {
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, input.salesUnitId);
    assertNotDeactivated(unit, "its Login set-up cannot be changed");
    const existing = await tx.loginConfig.findUnique({ where: { salesUnitId: unit.id } });
    if (input.activated) {
      if (!unit.login) throw new InvalidStateError("Login is not part of this sales unit's solution: order Login for it first (Order solution → Login).");
      if (!existing || existing.redirectUris.length === 0) {
        throw new InvalidStateError("Add at least one redirect URI (setLoginRedirectUris) before activating Login.");
      }
    }
    const config = await tx.loginConfig.upsert({
      where: { salesUnitId: unit.id },
      create: { salesUnitId: unit.id, redirectUris: [], activated: input.activated },
      update: { activated: input.activated },
    });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: input.activated ? "login.activate" : "login.deactivate",
      objectType: "SalesUnit",
      objectId: unit.id,
      data: { before: existing?.activated ?? false, after: input.activated },
      event: { type: input.activated ? "login.ACTIVATED" : "login.DEACTIVATED", salesUnitId: unit.id, payload: { activated: config.activated } },
    });
    return config;
  });
}

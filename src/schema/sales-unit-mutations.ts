/** Managing a sales unit: name, logo, settlement, deactivation, test units, API keys and Login redirect URIs. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { SettlementFrequencyEnum } from "./enums";
import { Merchant } from "./merchant";
import { SalesUnit } from "./sales-unit";
import { LoginConfig } from "./login-config";
import * as salesUnits from "../services/sales-units";
import type { RevealedApiKeys } from "../services/sales-units";
import { callerFor } from "../services/caller";
import { reloadAccess } from "../context";

const onUnit = (action: "EDIT_SALES_UNIT" | "DEVELOPER" | "ADMINISTER_MERCHANT") => (_root: unknown, args: { input: { salesUnitId: { id: string } } }) => ({
  salesUnit: { action, salesUnitId: args.input.salesUnitId.id },
});

const SalesUnitIdInput = (name: string) =>
  builder.inputType(name, {
    description: "Names one sales unit.",
    fields: (t) => ({ salesUnitId: t.globalID({ for: SalesUnit, required: true, description: "The sales unit." }) }),
  });

const ApiKeyPartEnum = builder.enumType("ApiKeyPart", {
  description: "One replaceable part of a sales unit's API keys.",
  values: {
    CLIENT_SECRET: { description: "The client secret, used with the client id to get an access token." },
    PRIMARY_SUBSCRIPTION_KEY: { description: "The primary subscription key." },
    SECONDARY_SUBSCRIPTION_KEY: { description: "The secondary subscription key, for switching keys without downtime." },
  } as const,
});

const ApiKeys = builder.objectRef<RevealedApiKeys>("ApiKeys").implement({
  description: "A sales unit's API keys in clear. Every reveal is audited.",
  fields: (t) => ({
    clientId: t.exposeString("clientId", { description: "The client id; not secret, identifies the sales unit's API user." }),
    clientSecret: t.exposeString("clientSecret", { description: "The client secret, in clear. Keep it secret." }),
    primarySubscriptionKey: t.exposeString("primarySubscriptionKey", { description: "The primary subscription key, in clear." }),
    secondarySubscriptionKey: t.exposeString("secondarySubscriptionKey", { description: "The secondary subscription key, in clear." }),
    rotatedAt: t.expose("rotatedAt", { type: "DateTime", nullable: true, description: "When a key part was last replaced; null if never." }),
  }),
});

builder.mutationFields((t) => ({
  updateSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Change a production sales unit's name, logo or settlement frequency. Test sales units cannot be changed.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The production sales unit to change." }),
      name: t.input.string({ description: "1–50 characters; shown to customers in the app." }),
      logoUrl: t.input.string({ description: "An https URL; null removes the logo." }),
      settlementFrequency: t.input.field({ type: SettlementFrequencyEnum, description: "How often to be paid out; unchanged when left out." }),
    },
    authScopes: onUnit("EDIT_SALES_UNIT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) =>
      salesUnits.updateSalesUnit(ctx.services, callerFor(ctx), input.salesUnitId.id, { name: input.name, logoUrl: input.logoUrl, settlementFrequency: input.settlementFrequency }),
  }),
  updateSettlementAccount: t.fieldWithInput({
    type: SalesUnit,
    description: "Set the account a production sales unit is paid out to (Administrators).",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The production sales unit to be paid out." }),
      settlementAccount: t.input.string({ required: true, description: "NO: 11-digit account; DK: reg.no + account; FI: IBAN." }),
    },
    authScopes: onUnit("ADMINISTER_MERCHANT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.updateSettlementAccount(ctx.services, callerFor(ctx), input.salesUnitId.id, input.settlementAccount),
  }),
  deactivateSalesUnit: t.field({
    type: SalesUnit,
    description: "Deactivate a sales unit (whoever may edit it): it becomes DEACTIVATED and stops taking payments.",
    args: { input: t.arg({ type: SalesUnitIdInput("DeactivateSalesUnitInput"), required: true, description: "The sales unit to deactivate." }) },
    authScopes: onUnit("EDIT_SALES_UNIT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.deactivateSalesUnit(ctx.services, callerFor(ctx), input.salesUnitId.id),
  }),
  createTestSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Create a test sales unit; it is PROVISIONING for a moment, then ACTIVE. Its options cannot be changed later.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant the test sales unit belongs to." }),
      name: t.input.string({ required: true, description: "The test sales unit's name, 1–50 characters." }),
      recurring: t.input.boolean({ defaultValue: false, description: "Enable recurring payments; false when left out." }),
      directCapture: t.input.boolean({ defaultValue: false, description: "Capture payments at once instead of reserving them; false when left out." }),
      skipLandingPage: t.input.boolean({ defaultValue: false, description: "Skip the landing page; false when left out." }),
    },
    authScopes: (_root, { input }) => ({ merchant: { action: "DEVELOPER", merchantId: input.merchantId.id } }),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) => {
      const unit = await salesUnits.createTestSalesUnit(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId.id,
        name: input.name,
        recurring: input.recurring ?? false,
        directCapture: input.directCapture ?? false,
        skipLandingPage: input.skipLandingPage ?? false,
      });
      // A creator who reaches only some sales units now reaches the new one too: the unit's fields must see it.
      await reloadAccess(ctx);
      return unit;
    },
  }),
  revealApiKeys: t.field({
    type: ApiKeys,
    description: "Show the API keys (\"Show keys\"). Audited.",
    args: { input: t.arg({ type: SalesUnitIdInput("RevealApiKeysInput"), required: true, description: "The sales unit whose keys to show." }) },
    authScopes: onUnit("DEVELOPER"),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => salesUnits.revealApiKeys(ctx.services, callerFor(ctx), input.salesUnitId.id),
  }),
  rotateApiKeys: t.fieldWithInput({
    type: ApiKeys,
    description: "Replace the client secret or one subscription key; returns the keys after the change. Audited.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit whose key to replace." }),
      key: t.input.field({
        type: ApiKeyPartEnum,
        defaultValue: "CLIENT_SECRET",
        description: "Which part to replace; the others keep working.",
      }),
    },
    authScopes: onUnit("DEVELOPER"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.rotateApiKeys(ctx.services, callerFor(ctx), input.salesUnitId.id, input.key ?? "CLIENT_SECRET"),
  }),
  setLoginRedirectUris: t.fieldWithInput({
    type: LoginConfig,
    description: "Replace the Login redirect URIs, stored and compared exactly. The first call activates Login on a sales unit that has the Login product; without the product the URIs wait, not activated, until Login is ordered.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit using Login." }),
      redirectUris: t.input.stringList({ required: true, description: "Exact URIs: https, a native app scheme with a path, or http://localhost on test units." }),
    },
    authScopes: onUnit("DEVELOPER"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.setLoginRedirectUris(ctx.services, callerFor(ctx), input.salesUnitId.id, input.redirectUris),
  }),
}));

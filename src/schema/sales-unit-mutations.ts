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
  builder.inputType(name, { fields: (t) => ({ salesUnitId: t.globalID({ for: SalesUnit, required: true }) }) });

const ApiKeyPartEnum = builder.enumType("ApiKeyPart", {
  values: ["CLIENT_SECRET", "PRIMARY_SUBSCRIPTION_KEY", "SECONDARY_SUBSCRIPTION_KEY"] as const,
});

const ApiKeys = builder.objectRef<RevealedApiKeys>("ApiKeys").implement({
  description: "A sales unit's API keys in clear. Every reveal is audited.",
  fields: (t) => ({
    clientId: t.exposeString("clientId"),
    clientSecret: t.exposeString("clientSecret"),
    primarySubscriptionKey: t.exposeString("primarySubscriptionKey"),
    secondarySubscriptionKey: t.exposeString("secondarySubscriptionKey"),
    rotatedAt: t.expose("rotatedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.mutationFields((t) => ({
  updateSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Change a production sales unit's name, logo or settlement frequency. Test sales units cannot be changed.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true }),
      name: t.input.string({ description: "1–50 characters; shown to customers in the app." }),
      logoUrl: t.input.string({ description: "An https URL; null removes the logo." }),
      settlementFrequency: t.input.field({ type: SettlementFrequencyEnum }),
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
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true }),
      settlementAccount: t.input.string({ required: true, description: "NO: 11-digit account; DK: reg.no + account; FI: IBAN." }),
    },
    authScopes: onUnit("ADMINISTER_MERCHANT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.updateSettlementAccount(ctx.services, callerFor(ctx), input.salesUnitId.id, input.settlementAccount),
  }),
  deactivateSalesUnit: t.field({
    type: SalesUnit,
    args: { input: t.arg({ type: SalesUnitIdInput("DeactivateSalesUnitInput"), required: true }) },
    authScopes: onUnit("EDIT_SALES_UNIT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.deactivateSalesUnit(ctx.services, callerFor(ctx), input.salesUnitId.id),
  }),
  createTestSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Create a test sales unit; it is PROVISIONING for a moment, then ACTIVE. Its options cannot be changed later.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true }),
      name: t.input.string({ required: true }),
      recurring: t.input.boolean({ defaultValue: false }),
      directCapture: t.input.boolean({ defaultValue: false }),
      skipLandingPage: t.input.boolean({ defaultValue: false }),
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
    args: { input: t.arg({ type: SalesUnitIdInput("RevealApiKeysInput"), required: true }) },
    authScopes: onUnit("DEVELOPER"),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => salesUnits.revealApiKeys(ctx.services, callerFor(ctx), input.salesUnitId.id),
  }),
  rotateApiKeys: t.fieldWithInput({
    type: ApiKeys,
    description: "Replace the client secret or one subscription key; returns the keys after the change. Audited.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true }),
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
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true }),
      redirectUris: t.input.stringList({ required: true, description: "Exact URIs: https, a native app scheme with a path, or http://localhost on test units." }),
    },
    authScopes: onUnit("DEVELOPER"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.setLoginRedirectUris(ctx.services, callerFor(ctx), input.salesUnitId.id, input.redirectUris),
  }),
}));

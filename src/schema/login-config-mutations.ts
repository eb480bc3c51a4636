/** Login set-up: redirect URIs, marketing consents, terms and privacy pages, and activation (Developer permission). */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { ConsentTypeEnum } from "./enums";
import { SalesUnit } from "./sales-unit";
import { LoginConfig } from "./login-config";
import * as login from "../services/login";
import * as salesUnits from "../services/sales-units";
import { callerFor } from "../services/caller";

const onUnitAsDeveloper = (_root: unknown, args: { input: { salesUnitId: { id: string } } }) => ({
  salesUnit: { action: "DEVELOPER" as const, salesUnitId: args.input.salesUnitId.id },
});

const MarketingConsentInput = builder.inputType("MarketingConsentInput", {
  description: "A marketing consent to ask Login users for.",
  fields: (t) => ({
    type: t.field({ type: ConsentTypeEnum, required: true, description: "What kind of marketing it consents to." }),
    required: t.boolean({ required: true, defaultValue: false, description: "Whether the user must accept it to log in." }),
    text: t.string({ required: true, description: "What the user is asked, 3–500 characters." }),
  }),
});

builder.mutationFields((t) => ({
  setLoginRedirectUris: t.fieldWithInput({
    type: LoginConfig,
    description: "Replace the Login redirect URIs, stored and compared exactly. The first redirect URIs switch Login on for a sales unit that has the Login product; without the product they wait, not activated, and Login is switched on when the Login order is completed.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit using Login." }),
      redirectUris: t.input.stringList({ required: true, description: "Exact URIs: https, a native app scheme with a path, or http://localhost on test units." }),
    },
    authScopes: onUnitAsDeveloper,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.setLoginRedirectUris(ctx.services, callerFor(ctx), input.salesUnitId.id, input.redirectUris),
  }),
  setLoginConsents: t.fieldWithInput({
    type: LoginConfig,
    description: "Replace the marketing consents users are asked for, with the terms and privacy pages.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit whose Login is set up." }),
      consents: t.input.field({ type: [MarketingConsentInput], required: true, description: "At least one; each type at most once. Replaces the current list." }),
      termsUrl: t.input.string({ required: true, description: "https address of the terms of use." }),
      privacyUrl: t.input.string({ required: true, description: "https address of the privacy policy." }),
    },
    authScopes: onUnitAsDeveloper,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) =>
      login.setLoginConsents(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, consents: input.consents, termsUrl: input.termsUrl, privacyUrl: input.privacyUrl }),
  }),
  setLoginActivated: t.fieldWithInput({
    type: LoginConfig,
    description: "Switch Login on or off. On needs the Login product and at least one redirect URI.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit whose Login is switched." }),
      activated: t.input.boolean({ required: true, description: "True to let customers log in, false to stop." }),
    },
    authScopes: onUnitAsDeveloper,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => login.setLoginActivated(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, activated: input.activated }),
  }),
}));

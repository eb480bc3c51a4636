/** Showing and replacing a sales unit's API keys (Developer permission); every reveal and rotation is audited. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { SalesUnit } from "./sales-unit";
import * as salesUnits from "../services/sales-units";
import type { RevealedApiKeys } from "../services/sales-units";
import { callerFor } from "../services/caller";

const onUnitAsDeveloper = (_root: unknown, args: { input: { salesUnitId: { id: string } } }) => ({
  salesUnit: { action: "DEVELOPER" as const, salesUnitId: args.input.salesUnitId.id },
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
  revealApiKeys: t.fieldWithInput({
    type: ApiKeys,
    description: "Show the API keys (\"Show keys\"). Audited.",
    typeOptions: { description: "Names one sales unit." },
    argOptions: { description: "The sales unit whose keys to show." },
    input: { salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit." }) },
    authScopes: onUnitAsDeveloper,
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
    authScopes: onUnitAsDeveloper,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.rotateApiKeys(ctx.services, callerFor(ctx), input.salesUnitId.id, input.key ?? "CLIENT_SECRET"),
  }),
}));

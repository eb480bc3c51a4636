/** A sales unit's API key metadata (the secrets only through revealApiKeys). */
import { builder } from "./builder";
import { SalesUnit } from "./sales-unit";

const unitScope = (action: "VIEW_SALES_UNIT" | "EDIT_SALES_UNIT" | "DEVELOPER") => (row: { salesUnitId: string }) => ({
  salesUnit: { action, salesUnitId: row.salesUnitId },
});

export const ApiKeysMetadata = builder.prismaObject("ApiKeys", {
  name: "ApiKeyInfo",
  description: "The sales unit's API keys without their secrets; reveal them with `revealApiKeys`.",
  authScopes: unitScope("DEVELOPER"),
  fields: (t) => ({
    clientId: t.exposeString("clientId", { description: "The client id, not secret: it names the sales unit's keys when asking for an access token." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the keys were first issued." }),
    rotatedAt: t.expose("rotatedAt", { type: "DateTime", nullable: true, description: "When the keys were last rotated; null if never." }),
  }),
});

builder.prismaObjectFields(SalesUnit, (t) => ({
  apiKeys: t.relation("apiKeys", { nullable: true, description: "The sales unit's API keys, without secrets (Developer permission); null when it has none or you may not see them.", authScopes: (unit) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: unit.id, merchantId: unit.merchantId } }) }),
}));

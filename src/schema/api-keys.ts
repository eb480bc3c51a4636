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
    clientId: t.exposeString("clientId"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    rotatedAt: t.expose("rotatedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.prismaObjectFields(SalesUnit, (t) => ({
  apiKeys: t.relation("apiKeys", { nullable: true, authScopes: (unit) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: unit.id, merchantId: unit.merchantId } }) }),
}));

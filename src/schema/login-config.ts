/** Login set-up of a sales unit (Developer permission): its type, its consents and the sales unit's field. */
import { builder } from "./builder";
import { ConsentTypeEnum, } from "./enums";
import { SalesUnit } from "./sales-unit";

export const LoginConfig = builder.prismaObject("LoginConfig", {
  description: "Login set-up of a sales unit.",
  authScopes: (row) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    activated: t.exposeBoolean("activated"),
    redirectUris: t.exposeStringList("redirectUris", { description: "Compared exactly, trailing slash included." }),
    termsUrl: t.exposeString("termsUrl", { nullable: true }),
    privacyUrl: t.exposeString("privacyUrl", { nullable: true }),
    consents: t.relation("consents", { query: { orderBy: { type: "asc" } } }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObject("LoginConsent", {
  name: "MarketingConsent",
  fields: (t) => ({
    type: t.expose("type", { type: ConsentTypeEnum }),
    required: t.exposeBoolean("required"),
    text: t.exposeString("text"),
  }),
});

builder.prismaObjectFields(SalesUnit, (t) => ({
  loginConfig: t.relation("loginConfig", { nullable: true, authScopes: (unit) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: unit.id, merchantId: unit.merchantId } }) }),
}));

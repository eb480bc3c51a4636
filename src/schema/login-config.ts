/** Login set-up of a sales unit (Developer permission): its type, its consents and the sales unit's field. */
import { builder } from "./builder";
import { ConsentTypeEnum, } from "./enums";
import { SalesUnit } from "./sales-unit";

export const LoginConfig = builder.prismaObject("LoginConfig", {
  description: "Login set-up of a sales unit.",
  authScopes: (row) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    activated: t.exposeBoolean("activated", { description: "Whether customers can log in with the app on this sales unit." }),
    redirectUris: t.exposeStringList("redirectUris", { description: "Compared exactly, trailing slash included." }),
    termsUrl: t.exposeString("termsUrl", { nullable: true, description: "The https address of the merchant's terms of use, shown with the consents; null until set." }),
    privacyUrl: t.exposeString("privacyUrl", { nullable: true, description: "The https address of the merchant's privacy policy, shown with the consents; null until set." }),
    consents: t.relation("consents", { description: "The marketing consents users are asked for when they log in, by type.", query: { orderBy: { type: "asc" } } }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When the set-up last changed." }),
  }),
});

builder.prismaObject("LoginConsent", {
  name: "MarketingConsent",
  description: "A marketing consent a user is asked for when logging in with Login.",
  fields: (t) => ({
    type: t.expose("type", { type: ConsentTypeEnum, description: "What kind of marketing it consents to." }),
    required: t.exposeBoolean("required", { description: "Whether the user must accept it to log in." }),
    text: t.exposeString("text", { description: "What the user is asked." }),
  }),
});

builder.prismaObjectFields(SalesUnit, (t) => ({
  loginConfig: t.relation("loginConfig", { nullable: true, description: "The sales unit's Login set-up (Developer permission); null when it has none or you may not see it.", authScopes: (unit) => ({ salesUnit: { action: "DEVELOPER", salesUnitId: unit.id, merchantId: unit.merchantId } }) }),
}));

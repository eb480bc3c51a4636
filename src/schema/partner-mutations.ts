/** Customer service's partner tools: linking partners to sales units and issuing or revoking partner keys. */
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { PartnerScopeEnum } from "./enums";
import { Partner } from "./partner";
import { SalesUnit } from "./sales-unit";
import { toPrismaWhere } from "../db/conditions";
import { canSeePartnerKey, visiblePartnerKeys } from "../auth/policies/partner";
import { uuidOrNil } from "../domain/ids";
import * as partners from "../services/partners";
import { callerFor } from "../services/caller";


export const PartnerKey = builder.prismaNode("PartnerKey", {
  id: { field: "id" },
  nullable: true,
  description: "A set of partner client credentials. The secret and subscription key are never shown again after creation.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(visiblePartnerKeys(ctx))] }),
  authScopes: (_key, ctx) => canSeePartnerKey(ctx),
  fields: (t) => ({
    clientId: t.exposeString("clientId"),
    scopes: t.expose("scopes", { type: [PartnerScopeEnum] }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    partner: t.relation("partner"),
  }),
});

builder.prismaObjectFields(Partner, (t) => ({
  keys: t.relation("keys", {
    description: "The partner's client credentials, newest first (customer service).",
    authScopes: { operator: true },
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
  }),
}));

const PartnerKeyCredentials = builder.objectRef<partners.NewPartnerCredentials>("PartnerKeyCredentials").implement({
  description: "New partner keys in clear. Shown once: hand them to the partner securely now.",
  fields: (t) => ({
    partnerKey: t.prismaField({
      type: "PartnerKey",
      resolve: (query, credentials, _args, ctx) => ctx.db.partnerKey.findUniqueOrThrow({ ...query, where: { id: credentials.partnerKeyId } }),
    }),
    clientId: t.exposeString("clientId"),
    clientSecret: t.exposeString("clientSecret"),
    subscriptionKey: t.exposeString("subscriptionKey"),
  }),
});

builder.mutationFields((t) => ({
  linkPartner: t.fieldWithInput({
    type: SalesUnit,
    description: "Customer service: set the one integration partner of a sales unit (merchants cannot change it).",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true }),
      partnerId: t.input.globalID({ for: Partner, description: "The partner to link, replacing any other; null unlinks." }),
    },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => partners.linkPartner(ctx.services, callerFor(ctx), input.salesUnitId.id, input.partnerId?.id ?? null),
  }),
  createPartnerKeys: t.fieldWithInput({
    type: PartnerKeyCredentials,
    description: "Customer service: issue new client credentials for a partner. The secret and subscription key are shown only in this answer.",
    input: {
      partnerId: t.input.globalID({ for: Partner, required: true }),
      scopes: t.input.field({ type: [PartnerScopeEnum], required: true, description: "What tokens from these keys may do on the partner's linked sales units." }),
    },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => partners.createPartnerKeys(ctx.services, callerFor(ctx), input.partnerId.id, input.scopes),
  }),
  revokePartnerKeys: t.fieldWithInput({
    type: PartnerKey,
    description: "Customer service: revoke partner keys. Tokens issued with them stop working at once.",
    input: { partnerKeyId: t.input.globalID({ for: PartnerKey, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => partners.revokePartnerKeys(ctx.services, callerFor(ctx), input.partnerKeyId.id),
  }),
}));

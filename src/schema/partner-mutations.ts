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

const LinkPartnerInput = builder.inputType("LinkPartnerInput", {
  fields: (t) => ({
    salesUnitId: t.globalID({ for: SalesUnit, required: true }),
    partnerId: t.globalID({ for: Partner, description: "The partner to link, replacing any other; null unlinks." }),
  }),
});

const CreatePartnerKeysInput = builder.inputType("CreatePartnerKeysInput", {
  fields: (t) => ({
    partnerId: t.globalID({ for: Partner, required: true }),
    scopes: t.field({ type: [PartnerScopeEnum], required: true, description: "What tokens from these keys may do on the partner's linked sales units." }),
  }),
});

const RevokePartnerKeysInput = builder.inputType("RevokePartnerKeysInput", {
  fields: (t) => ({ partnerKeyId: t.globalID({ for: PartnerKey, required: true }) }),
});

builder.mutationFields((t) => ({
  linkPartner: t.field({
    type: SalesUnit,
    description: "Customer service: set the one integration partner of a sales unit (merchants cannot change it).",
    args: { input: t.arg({ type: LinkPartnerInput, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => partners.linkPartner(ctx.services, callerFor(ctx), input.salesUnitId.id, input.partnerId?.id ?? null),
  }),
  createPartnerKeys: t.field({
    type: PartnerKeyCredentials,
    description: "Customer service: issue new client credentials for a partner. The secret and subscription key are shown only in this answer.",
    args: { input: t.arg({ type: CreatePartnerKeysInput, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => partners.createPartnerKeys(ctx.services, callerFor(ctx), input.partnerId.id, input.scopes),
  }),
  revokePartnerKeys: t.field({
    type: PartnerKey,
    description: "Customer service: revoke partner keys. Tokens issued with them stop working at once.",
    args: { input: t.arg({ type: RevokePartnerKeysInput, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => partners.revokePartnerKeys(ctx.services, callerFor(ctx), input.partnerKeyId.id),
  }),
}));

/** Partner client credentials (customer service only): the type, the partner's list and the once-shown credentials. */
import { builder } from "./builder";
import { PartnerScopeEnum } from "./enums";
import { Partner } from "./partner";
import { toPrismaWhere } from "../db/conditions";
import { canSeePartnerKey, visiblePartnerKeys } from "../auth/policies/partner";
import { uuidOrNil } from "../domain/ids";
import type * as partners from "../services/partners";

export const PartnerKey = builder.prismaNode("PartnerKey", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "A set of partner client credentials. The secret and subscription key are never shown again after creation.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(visiblePartnerKeys(ctx))] }),
  authScopes: (_key, ctx) => canSeePartnerKey(ctx),
  fields: (t) => ({
    clientId: t.exposeString("clientId", { description: "The client id, not secret: it names these keys when asking for an access token." }),
    scopes: t.expose("scopes", { type: [PartnerScopeEnum], description: "What tokens from these keys may do on the partner's linked sales units." }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true, description: "When the keys were revoked (they no longer give tokens); null while in use." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the keys were issued." }),
    partner: t.relation("partner", { description: "The partner the keys belong to." }),
  }),
});

builder.prismaObjectFields(Partner, (t) => ({
  keys: t.relation("keys", {
    description: "The partner's client credentials, newest first (customer service).",
    authScopes: (_partner, _args, ctx) => canSeePartnerKey(ctx),
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
  }),
}));

export const PartnerKeyCredentials = builder.objectRef<partners.NewPartnerCredentials>("PartnerKeyCredentials").implement({
  description: "New partner keys in clear. Shown once: hand them to the partner securely now.",
  fields: (t) => ({
    // Nullable: should the caller not be allowed to list keys, the secrets beside it must still be answered.
    partnerKey: t.prismaField({
      type: "PartnerKey",
      nullable: true,
      description: "The new keys as they are listed from now on (without secrets); null if you may not list partner keys.",
      resolve: (query, credentials, _args, ctx) => ctx.db.partnerKey.findUniqueOrThrow({ ...query, where: { id: credentials.partnerKeyId } }),
    }),
    clientId: t.exposeString("clientId", { description: "The client id." }),
    clientSecret: t.exposeString("clientSecret", { description: "The client secret, shown only here." }),
    subscriptionKey: t.exposeString("subscriptionKey", { description: "The subscription key to send with every API call, shown only here." }),
  }),
});

/** Customer service issues and revokes partner keys. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { PartnerScopeEnum } from "./enums";
import { Partner } from "./partner";
import * as partners from "../services/partners";
import { callerFor } from "../services/caller";
import { PartnerKey, PartnerKeyCredentials } from "./partner-key";

builder.mutationFields((t) => ({
  createPartnerKeys: t.fieldWithInput({
    type: PartnerKeyCredentials,
    description: "Customer service: issue new client credentials for a partner. The secret and subscription key are shown only in this answer.",
    input: {
      partnerId: t.input.globalID({ for: Partner, required: true, description: "The partner to issue keys for." }),
      scopes: t.input.field({ type: [PartnerScopeEnum], required: true, description: "What tokens from these keys may do on the partner's linked sales units." }),
    },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => partners.createPartnerKeys(ctx.services, callerFor(ctx), input.partnerId.id, input.scopes),
  }),
  revokePartnerKeys: t.fieldWithInput({
    type: PartnerKey,
    description: "Customer service: revoke partner keys. Tokens issued with them stop working at once.",
    input: { partnerKeyId: t.input.globalID({ for: PartnerKey, required: true, description: "The keys to revoke." }) },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => partners.revokePartnerKeys(ctx.services, callerFor(ctx), input.partnerKeyId.id),
  }),
}));

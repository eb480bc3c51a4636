/**
 * Registering, changing, switching off, deleting and re-keying webhook endpoints, and replaying events to them. Who
 * may is src/auth/policies/webhook-endpoint.ts (the `webhookOwner` and `webhookEndpoint` scopes); rules and delivery
 * are in docs/webhooks.md.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from "../domain/errors";
import { Merchant } from "./merchant";
import { Partner } from "./partner";
import { SalesUnit } from "./sales-unit";
import { WebhookDelivery, WebhookEndpoint } from "./webhook-endpoint";
import * as webhooks from "../services/webhooks";
import { callerFor } from "../services/caller";

const WebhookEndpointWithSecret = builder.objectRef<webhooks.EndpointWithSecret>("WebhookEndpointWithSecret").implement({
  description: "An endpoint with its signing secret: shown only in this answer, so store it now.",
  fields: (t) => ({
    // Nullable: should the endpoint's own scope refuse it, the secret beside it must still be answered.
    endpoint: t.field({ type: WebhookEndpoint, nullable: true, description: "The endpoint; null if you may not see it.", resolve: (result) => result.endpoint }),
    secret: t.exposeString("secret", { description: "The HMAC-SHA256 key deliveries are signed with (docs/webhooks.md)." }),
  }),
});

const onEndpoint = (id: string) => ({ webhookEndpoint: { webhookEndpointId: id } });

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.fieldWithInput({
    type: WebhookEndpointWithSecret,
    description: "Register a URL for event types, for a merchant's sales units or a partner's linked ones. The answer holds the signing secret, shown once.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, description: "The merchant whose endpoint this is (Administrators)." }),
      partnerId: t.input.globalID({ for: Partner, description: "Your partner id, for a partner's endpoint (partner keys only)." }),
      url: t.input.string({ required: true, description: "https; plain http only when every listed sales unit is a test one." }),
      eventTypes: t.input.stringList({ required: true, description: "Types from `webhookEventTypes`, e.g. transaction.CAPTURED." }),
      salesUnitIds: t.input.globalIDList({ for: SalesUnit, required: false, description: "Only these sales units; none: every sales unit of the owner, now and later." }),
      description: t.input.string({ description: "Up to 200 characters, for your own reference." }),
    },
    authScopes: (_root, { input }) => ({ webhookOwner: { merchantId: input.merchantId?.id ?? null, partnerId: input.partnerId?.id ?? null } }),
    errors: { types: [ValidationError, NotFoundError, LimitReachedError] },
    resolve: (_root, { input }, ctx) =>
      webhooks.createWebhookEndpoint(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId?.id ?? null,
        partnerId: input.partnerId?.id ?? null,
        url: input.url,
        eventTypes: input.eventTypes,
        salesUnitIds: (input.salesUnitIds ?? []).map((id) => id.id),
        description: input.description,
      }),
  }),
  updateWebhookEndpoint: t.fieldWithInput({
    type: WebhookEndpoint,
    description: "Change an endpoint's URL, event types, sales units or description. The secret stays.",
    input: {
      webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint to change." }),
      url: t.input.string({ description: "A new address, with the same rules as when registering; unchanged when left out." }),
      eventTypes: t.input.stringList({ description: "Replaces the event types (from `webhookEventTypes`); unchanged when left out." }),
      salesUnitIds: t.input.globalIDList({ for: SalesUnit, description: "Replaces the list; an empty list covers every sales unit of the owner." }),
      description: t.input.string({ description: "Up to 200 characters, for your own reference; unchanged when left out." }),
    },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) =>
      webhooks.updateWebhookEndpoint(ctx.services, callerFor(ctx), {
        webhookEndpointId: input.webhookEndpointId.id,
        url: input.url,
        eventTypes: input.eventTypes,
        salesUnitIds: input.salesUnitIds?.map((id) => id.id) ?? null,
        ...(input.description === undefined ? {} : { description: input.description }),
      }),
  }),
  disableWebhookEndpoint: t.fieldWithInput({
    type: WebhookEndpoint,
    description: "Stop deliveries to an endpoint; what is pending waits until it is enabled again.",
    input: { webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint." }) },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => webhooks.setWebhookEndpointEnabled(ctx.services, callerFor(ctx), { webhookEndpointId: input.webhookEndpointId.id, enabled: false }),
  }),
  enableWebhookEndpoint: t.fieldWithInput({
    type: WebhookEndpoint,
    description: "Resume deliveries: events from now on and those that waited. Replay the disabled period with redeliverWebhookEvents.",
    input: { webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint." }) },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => webhooks.setWebhookEndpointEnabled(ctx.services, callerFor(ctx), { webhookEndpointId: input.webhookEndpointId.id, enabled: true }),
  }),
  deleteWebhookEndpoint: t.fieldWithInput({
    type: "ID",
    description: "Delete an endpoint with its deliveries and attempt log. Answers the deleted endpoint's id.",
    input: { webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint." }) },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) => encodeGlobalID("WebhookEndpoint", await webhooks.deleteWebhookEndpoint(ctx.services, callerFor(ctx), input.webhookEndpointId.id)),
  }),
  rotateWebhookEndpointSecret: t.fieldWithInput({
    type: WebhookEndpointWithSecret,
    description: "A new signing secret, shown once. The previous one keeps signing alongside (x-ms-previous-authorization) for 24 hours, so receivers can switch without losing events.",
    input: { webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint." }) },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => webhooks.rotateWebhookEndpointSecret(ctx.services, callerFor(ctx), input.webhookEndpointId.id),
  }),
  redeliverWebhookEvent: t.fieldWithInput({
    type: WebhookDelivery,
    description: "Send one event to the endpoint again: a new delivery id, the same event id (the idempotency key).",
    input: {
      webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint to send to." }),
      eventId: t.input.string({ required: true, description: "The event id a delivery carried (evt_…)." }),
    },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => webhooks.redeliverWebhookEvent(ctx.services, callerFor(ctx), { webhookEndpointId: input.webhookEndpointId.id, eventId: input.eventId }),
  }),
  redeliverWebhookEvents: t.fieldWithInput({
    type: "Int",
    description: `Send again every event of a period [from, to) the endpoint subscribes to, in order; at most ${webhooks.MAX_REDELIVERY_EVENTS}. Answers how many were queued.`,
    input: {
      webhookEndpointId: t.input.globalID({ for: WebhookEndpoint, required: true, description: "The endpoint to send to." }),
      from: t.input.field({ type: "DateTime", required: true, description: "Start of the period, inclusive." }),
      to: t.input.field({ type: "DateTime", required: true, description: "End of the period, exclusive." }),
    },
    authScopes: (_root, { input }) => onEndpoint(input.webhookEndpointId.id),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError, LimitReachedError] },
    resolve: (_root, { input }, ctx) => webhooks.redeliverWebhookEvents(ctx.services, callerFor(ctx), { webhookEndpointId: input.webhookEndpointId.id, from: input.from, to: input.to }),
  }),
}));

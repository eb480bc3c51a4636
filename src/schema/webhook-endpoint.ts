/**
 * Webhook endpoints, their deliveries and the attempt log (docs/webhooks.md). Seen by whoever manages them: the
 * merchant's DEVELOPER on every sales unit (Administrators) or the owning partner.
 */
import { builder } from "./builder";
import "./merchant";
import "./partner";
import "./sales-unit";
import { uuidOrNil } from "../domain/ids";
import { manageableWebhookEndpoints } from "../auth/policies/webhook-endpoint";
import { WebhookDeliveryStatus, WebhookEndpointStatus } from "../generated/prisma/enums";
import { encodeEventId } from "../webhooks/envelope";
import { EVENT_TYPES } from "../events/catalog";

export const WebhookEndpointStatusEnum = builder.enumType(WebhookEndpointStatus, {
  name: "WebhookEndpointStatus",
  description: "ENABLED receives events; DISABLED (by a user, or after deliveries failed for the whole retry window) does not.",
});

export const WebhookDeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description:
    "PENDING: not delivered yet (in flight or waiting for its next attempt). SUCCEEDED: the endpoint answered 2xx. FAILED: given up after the retry window. SKIPPED: not sent, because the endpoint's owner may not see the event now.",
});

const ownerScope = (row: { merchantId: string | null; partnerId: string | null }) => ({ webhookOwner: { merchantId: row.merchantId, partnerId: row.partnerId } });

export const WebhookEndpoint = builder.prismaNode("WebhookEndpoint", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A URL that receives signed POSTs of the events it subscribes to.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [manageableWebhookEndpoints(ctx.principal, ctx.access)] }),
  authScopes: ownerScope,
  fields: (t) => ({
    url: t.exposeString("url"),
    description: t.exposeString("description", { nullable: true }),
    eventTypes: t.exposeStringList("eventTypes", { description: "The event types it receives (see `webhookEventTypes`)." }),
    salesUnits: t.prismaField({
      type: ["SalesUnit"],
      description: "The sales units it covers; empty: every sales unit of its owner, now and later.",
      select: { salesUnitIds: true },
      resolve: (query, endpoint, _args, ctx) =>
        endpoint.salesUnitIds.length === 0 ? [] : ctx.db.salesUnit.findMany({ ...query, where: { id: { in: endpoint.salesUnitIds } }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    }),
    merchant: t.relation("merchant", { nullable: true, description: "The owner, for a merchant's endpoint." }),
    partner: t.relation("partner", { nullable: true, description: "The owner, for a partner's endpoint." }),
    status: t.expose("status", { type: WebhookEndpointStatusEnum }),
    disabledReason: t.exposeString("disabledReason", { nullable: true }),
    previousSecretSignsUntil: t.expose("previousSecretExpiresAt", {
      type: "DateTime",
      nullable: true,
      description: "After a rotation: until when the previous secret also signs each delivery (header x-ms-previous-authorization).",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    deliveries: t.relatedConnection("deliveries", {
      cursor: "id",
      description: "Its deliveries, newest first.",
      args: { status: t.arg({ type: WebhookDeliveryStatusEnum, required: false }) },
      query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      totalCount: true,
    }),
  }),
});

export const WebhookDelivery = builder.prismaNode("WebhookDelivery", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "One event sent to one endpoint. Its id is the delivery id the POST carries (x-webhook-delivery-id).",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), endpoint: manageableWebhookEndpoints(ctx.principal, ctx.access) }),
  authScopes: (row) => ({ webhookEndpoint: { webhookEndpointId: row.endpointId } }),
  fields: (t) => ({
    eventId: t.string({ description: "The event's id (evt_…): the idempotency key, the same in every redelivery.", resolve: (row) => encodeEventId(row.outboxEventId) }),
    eventType: t.exposeString("eventType"),
    status: t.expose("status", { type: WebhookDeliveryStatusEnum }),
    attemptCount: t.exposeInt("attemptCount"),
    nextAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When a pending delivery is tried next.",
      resolve: (row) => (row.status === "PENDING" ? row.nextAttemptAt : null),
    }),
    lastError: t.exposeString("lastError", { nullable: true }),
    redelivery: t.exposeBoolean("redelivery", { description: "Queued by redeliverWebhookEvent(s) rather than by the event itself." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    endpoint: t.relation("endpoint"),
    attempts: t.relation("attempts", { description: "Every HTTP attempt, first first.", query: { orderBy: { number: "asc" } } }),
  }),
});

builder.prismaObject("WebhookAttempt", {
  description: "One HTTP attempt of a delivery.",
  fields: (t) => ({
    number: t.exposeInt("number"),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    durationMs: t.exposeInt("durationMs"),
    statusCode: t.exposeInt("statusCode", { nullable: true, description: "The HTTP status answered; null when no answer came." }),
    responseExcerpt: t.exposeString("responseExcerpt", { nullable: true, description: "The first 1024 characters of the answer." }),
    error: t.exposeString("error", { nullable: true, description: "Why the attempt did not count as delivered." }),
  }),
});

const WebhookEventType = builder.objectRef<(typeof EVENT_TYPES)[number]>("WebhookEventType").implement({
  description: "An event type endpoints may subscribe to.",
  fields: (t) => ({
    type: t.exposeString("type"),
    aggregateType: t.exposeString("aggregateType"),
    description: t.exposeString("description"),
  }),
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection({
    type: "WebhookEndpoint",
    cursor: "id",
    description: "The webhook endpoints the caller manages: its merchants' (Administrators) or, for a partner, its own. Newest first.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.db.webhookEndpoint.findMany({ ...query, where: manageableWebhookEndpoints(ctx.principal, ctx.access), orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
    totalCount: (_root, _args, ctx) => ctx.db.webhookEndpoint.count({ where: manageableWebhookEndpoints(ctx.principal, ctx.access) }),
  }),
  webhookEventTypes: t.field({
    type: [WebhookEventType],
    description: "Every event type a webhook endpoint may subscribe to.",
    authScopes: { authenticated: true },
    resolve: () => [...EVENT_TYPES],
  }),
}));

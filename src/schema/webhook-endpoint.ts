/**
 * Webhook endpoints, their deliveries and the attempt log (docs/webhooks.md). Seen by whoever manages them: the
 * merchant's DEVELOPER on every sales unit (Administrators) or the owning partner.
 */
import DataLoader from "dataloader";
import { builder } from "./builder";
import { cursorSeen, listedPage, nodeConnection } from "./connection";
import "./merchant";
import "./partner";
import "./sales-unit";
import { uuidOrNil } from "../domain/ids";
import { manageableWebhookEndpoints } from "../auth/policies/webhook-endpoint";
import { viewableSalesUnits } from "../auth/policies/sales-unit";
import { toPrismaWhere } from "../db/conditions";
import { WebhookDeliveryStatus, WebhookEndpointStatus } from "../generated/prisma/enums";
import { encodeEventId } from "../webhooks/envelope";
import { EVENT_TYPES } from "../events/catalog";
import type { Context } from "../context";
import { NOT_CACHED, remembered } from "./remembered";

export const WebhookEndpointStatusEnum = builder.enumType("WebhookEndpointStatus", {
  description: "ENABLED receives events; DISABLED (by a user, or after deliveries failed for the whole retry window) does not.",
  values: {
    ENABLED: { value: WebhookEndpointStatus.ENABLED, description: "Receives the events it subscribes to." },
    DISABLED: { value: WebhookEndpointStatus.DISABLED, description: "Receives nothing; `disabledReason` says why. Pending deliveries wait until it is enabled again." },
  } as const,
});

export const WebhookDeliveryStatusEnum = builder.enumType("WebhookDeliveryStatus", {
  description:
    "PENDING: not delivered yet (in flight or waiting for its next attempt). SUCCEEDED: the endpoint answered 2xx. FAILED: given up after the retry window. SKIPPED: not sent, because the endpoint's owner may not see the event now.",
  values: {
    PENDING: { value: WebhookDeliveryStatus.PENDING, description: "Not delivered yet: in flight or waiting for its next attempt." },
    SUCCEEDED: { value: WebhookDeliveryStatus.SUCCEEDED, description: "The endpoint answered with a 2xx status." },
    FAILED: { value: WebhookDeliveryStatus.FAILED, description: "Given up after the retry window." },
    SKIPPED: { value: WebhookDeliveryStatus.SKIPPED, description: "Not sent: the endpoint's owner may not see the event now." },
  } as const,
});

const ownerScope = (row: { merchantId: string | null; partnerId: string | null }) => ({ webhookOwner: { merchantId: row.merchantId, partnerId: row.partnerId } });

export const WebhookEndpoint = builder.prismaNode("WebhookEndpoint", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A URL that receives signed POSTs of the events it subscribes to.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [manageableWebhookEndpoints(ctx.principal, ctx.access)] }),
  authScopes: ownerScope,
  fields: (t) => ({
    url: t.exposeString("url", { description: "The address events are POSTed to." }),
    description: t.exposeString("description", { nullable: true, description: "The owner's own note about the endpoint; null when none." }),
    eventTypes: t.exposeStringList("eventTypes", { description: "The event types it receives (see `webhookEventTypes`)." }),
    salesUnits: t.prismaField({
      type: ["SalesUnit"],
      description: "The sales units it covers that you may see (a partner's unit drops out once its link goes); empty: every sales unit of its owner, now and later.",
      select: { salesUnitIds: true },
      resolve: (query, endpoint, _args, ctx) => unitsOf(ctx, query, endpoint.salesUnitIds),
    }),
    merchant: t.relation("merchant", { nullable: true, description: "The owner, for a merchant's endpoint." }),
    partner: t.relation("partner", { nullable: true, description: "The owner, for a partner's endpoint." }),
    status: t.expose("status", { type: WebhookEndpointStatusEnum, description: "Whether it receives events." }),
    disabledReason: t.exposeString("disabledReason", { nullable: true, description: "Why it is DISABLED (by a user, or failed deliveries); null while ENABLED." }),
    previousSecretSignsUntil: t.expose("previousSecretExpiresAt", {
      type: "DateTime",
      nullable: true,
      description: "After a rotation: until when the previous secret also signs each delivery (header x-ms-previous-authorization).",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the endpoint was registered." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When the endpoint last changed." }),
    deliveries: t.relatedConnection("deliveries", {
      cursor: "id",
      description: "Its deliveries, newest first.",
      args: { status: t.arg({ type: WebhookDeliveryStatusEnum, required: false, description: "Only deliveries in this status; all when left out." }) },
      query: cursorSeen(
        (args) => ({
          where: args.status ? { status: args.status as WebhookDeliveryStatus } : {},
          orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }],
        }),
        (id, ctx) => ctx.db.webhookDelivery.findFirst({ where: { id: uuidOrNil(id), endpoint: manageableWebhookEndpoints(ctx.principal, ctx.access) }, select: { id: true } }),
      ),
      totalCount: true,
    }, WebhookDeliveryConnection),
  }),
});

const WebhookEndpointConnection = nodeConnection(WebhookEndpoint, "WebhookEndpoint", "webhook endpoints");

export const WebhookDelivery = builder.prismaNode("WebhookDelivery", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "One event sent to one endpoint. Its id is the delivery id the POST carries (x-webhook-delivery-id).",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), endpoint: manageableWebhookEndpoints(ctx.principal, ctx.access) }),
  authScopes: (row) => ({ webhookEndpoint: { webhookEndpointId: row.endpointId } }),
  fields: (t) => ({
    eventId: t.string({ description: "The event's id (evt_…): the idempotency key, the same in every redelivery.", resolve: (row) => encodeEventId(row.outboxEventId) }),
    eventType: t.exposeString("eventType", { description: "The event's type, e.g. transaction.CAPTURED." }),
    status: t.expose("status", { type: WebhookDeliveryStatusEnum, description: "Where the delivery is." }),
    attemptCount: t.exposeInt("attemptCount", { description: "How many HTTP attempts were made so far." }),
    nextAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When a pending delivery is tried next.",
      resolve: (row) => (row.status === "PENDING" ? row.nextAttemptAt : null),
    }),
    lastError: t.exposeString("lastError", { nullable: true, description: "Why the last attempt failed (or why it was skipped); null after a success or before any attempt." }),
    redelivery: t.exposeBoolean("redelivery", { description: "Queued by redeliverWebhookEvent(s) rather than by the event itself." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the delivery was queued." }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true, description: "When it SUCCEEDED, FAILED or was SKIPPED; null while PENDING." }),
    endpoint: t.relation("endpoint", { description: "The endpoint it goes to." }),
    attempts: t.relation("attempts", { description: "Every HTTP attempt, first first.", query: { orderBy: { number: "asc" } } }),
  }),
});

const WebhookDeliveryConnection = nodeConnection(WebhookDelivery, "WebhookDelivery", "webhook deliveries");

builder.prismaObject("WebhookAttempt", {
  description: "One HTTP attempt of a delivery.",
  fields: (t) => ({
    number: t.exposeInt("number", { description: "1 for the first attempt, then 2, 3…" }),
    startedAt: t.expose("startedAt", { type: "DateTime", description: "When the POST was sent." }),
    durationMs: t.exposeInt("durationMs", { description: "How long the attempt took, in milliseconds." }),
    statusCode: t.exposeInt("statusCode", { nullable: true, description: "The HTTP status answered; null when no answer came." }),
    responseExcerpt: t.exposeString("responseExcerpt", { nullable: true, description: "The first 1024 characters of the answer." }),
    error: t.exposeString("error", { nullable: true, description: "Why the attempt did not count as delivered." }),
  }),
});

const WebhookEventType = builder.objectRef<(typeof EVENT_TYPES)[number]>("WebhookEventType").implement({
  description: "An event type endpoints may subscribe to.",
  fields: (t) => ({
    type: t.exposeString("type", { description: "The name to subscribe with, e.g. transaction.CAPTURED." }),
    aggregateType: t.exposeString("aggregateType", { description: "The kind of object the event is about, e.g. Transaction or QrCode." }),
    description: t.exposeString("description", { description: "What the event means." }),
  }),
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection({
    type: "WebhookEndpoint",
    cursor: "id",
    description: "The webhook endpoints the caller manages: its merchants' (Administrators) or, for a partner, its own. Newest first.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) => {
      const where = manageableWebhookEndpoints(ctx.principal, ctx.access);
      return listedPage(
        query,
        (cursor) => ctx.db.webhookEndpoint.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.webhookEndpoint.findMany({ ...query, where, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      );
    },
    totalCount: (_root, _args, ctx) => ctx.db.webhookEndpoint.count({ where: manageableWebhookEndpoints(ctx.principal, ctx.access) }),
  }, WebhookEndpointConnection),
  webhookEventTypes: t.field({
    type: [WebhookEventType],
    description: "Every event type a webhook endpoint may subscribe to.",
    authScopes: { authenticated: true },
    resolve: () => [...EVENT_TYPES],
  }),
}));

type UnitRow = Awaited<ReturnType<Context["db"]["salesUnit"]["findFirstOrThrow"]>>;

const unitLoaders = new WeakMap<Context, Map<string, DataLoader<readonly string[], UnitRow[]>>>();

/**
 * The sales units of an endpoint that the caller may see (one it may not would be refused by SalesUnit's own scope and
 * blank the endpoint), by name. The endpoints of a page are answered together: one statement reads the units of all of
 * them with the document's selection, and each endpoint keeps its own, in that statement's order.
 */
function unitsOf(ctx: Context, query: { select?: object; include?: object }, ids: readonly string[]): Promise<UnitRow[]> | UnitRow[] {
  // The selection is the loader's key, read even for an endpoint without units (which Pothos would report as unused).
  const bySelection = remembered(unitLoaders, ctx, () => new Map<string, DataLoader<readonly string[], UnitRow[]>>());
  const loader = remembered(bySelection, JSON.stringify(query), () =>
    new DataLoader<readonly string[], UnitRow[]>(async (lists) => {
      const rows = (await ctx.db.salesUnit.findMany({
        ...query,
        ...(query.select ? { select: { ...query.select, id: true } } : {}),
        where: { id: { in: [...new Set(lists.flat())] }, AND: [toPrismaWhere(viewableSalesUnits(ctx.access))] },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      })) as UnitRow[];
      return lists.map((list) => {
        const wanted = new Set(list);
        return rows.filter((row) => wanted.has(row.id));
      });
    }, NOT_CACHED),
  );
  return ids.length === 0 ? [] : loader.load(ids);
}

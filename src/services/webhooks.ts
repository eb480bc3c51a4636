/**
 * Webhook endpoints and manual redelivery (docs/webhooks.md). The secret is shown once, in the answer to create and
 * rotate, and stored encrypted; after a rotation the previous secret keeps signing alongside the new one for the
 * overlap period. Every change writes its audit row in the same transaction. Delivery itself is src/webhooks/worker.ts.
 */
import type { Caller } from "./caller";
import type { Services } from "../deps";
import type { Tx } from "../db/client";
import { InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from "../domain/errors";
import { uuidOrNil } from "../domain/ids";
import { encryptSecret, generateSecret } from "../auth/secrets";
import { mayReceive } from "../events/catalog";
import { deliveredThrough } from "../events/outbox";
import { recordAudit } from "./audit";
import { publicId, recordChange } from "./changes";
import { validateDescription, validateEventTypes, validateWebhookUrl } from "../webhooks/rules";
import { decodeEventId } from "../webhooks/envelope";
import { loadOwnerAccess } from "../webhooks/owner";
import type { WebhookEndpoint } from "../generated/prisma/client";

export const MAX_ENDPOINTS_PER_OWNER = 20;
/** The most events one redeliverWebhookEvents call may queue; ask for a shorter period beyond that. */
export const MAX_REDELIVERY_EVENTS = 10_000;

export interface WebhookOwnerInput {
  merchantId: string | null;
  partnerId: string | null;
}

export interface CreateWebhookEndpointInput extends WebhookOwnerInput {
  url: string;
  eventTypes: readonly string[];
  salesUnitIds: readonly string[];
  description?: string | null;
}

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** Shown once: store it now, it cannot be read again. */
  secret: string;
}

const newSecret = () => `whsec_${generateSecret()}`;

/** The owner as exactly one of merchant or partner. */
export function ownerOf(input: WebhookOwnerInput): { merchantId: string; partnerId: null } | { merchantId: null; partnerId: string } {
  if (input.merchantId && !input.partnerId) return { merchantId: input.merchantId, partnerId: null };
  if (input.partnerId && !input.merchantId) return { merchantId: null, partnerId: input.partnerId };
  throw new ValidationError("Give either merchantId (the merchant's endpoint) or partnerId (your partner endpoint), not both.", "merchantId");
}

/**
 * The listed sales units, each the owner's (the merchant's own, or linked to the partner), and whether they are all
 * TEST units (plain http is then allowed). An empty list covers every sales unit the owner reaches.
 */
async function checkedUnits(tx: Tx, owner: WebhookOwnerInput, salesUnitIds: readonly string[]) {
  const ids = [...new Set(salesUnitIds)];
  if (ids.length === 0) return { ids, testUnitsOnly: false };
  const units = await tx.salesUnit.findMany({
    where: { id: { in: ids.map(uuidOrNil) }, ...(owner.merchantId ? { merchantId: owner.merchantId } : { partnerId: owner.partnerId }) },
    select: { id: true, environment: true },
  });
  if (units.length !== ids.length) throw new NotFoundError("sales unit");
  return { ids, testUnitsOnly: units.every((unit) => unit.environment === "TEST") };
}

/** Sales unit ids as events carry them: global ids, as the API shows them. */
const unitIdsOf = (ids: readonly string[]) => ids.map((id) => publicId("SalesUnit", id));

export async function createWebhookEndpoint(deps: Services, caller: Caller, input: CreateWebhookEndpointInput): Promise<EndpointWithSecret> {
  const owner = ownerOf(input);
  const eventTypes = validateEventTypes(input.eventTypes);
  const description = validateDescription(input.description);
  const secret = newSecret();
  return deps.db.$transaction(async (tx) => {
    // One endpoint creation per owner at a time, so the count below holds.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`webhook-owner:${owner.merchantId ?? owner.partnerId}`}, 0))`;
    const units = await checkedUnits(tx, owner, input.salesUnitIds);
    const url = validateWebhookUrl(input.url, { testUnitsOnly: units.testUnitsOnly, allowPrivateNetwork: deps.config.webhooks.allowPrivateNetwork });
    const count = await tx.webhookEndpoint.count({ where: owner.merchantId ? { merchantId: owner.merchantId } : { partnerId: owner.partnerId } });
    if (count >= MAX_ENDPOINTS_PER_OWNER) {
      throw new LimitReachedError(`At most ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints: delete one you no longer use.`, MAX_ENDPOINTS_PER_OWNER);
    }
    const endpoint = await tx.webhookEndpoint.create({
      data: {
        merchantId: owner.merchantId,
        partnerId: owner.partnerId,
        url,
        description,
        eventTypes,
        salesUnitIds: units.ids,
        secretEncrypted: encryptSecret(secret, deps.encryptionKey),
        // Events from now on: history is replayed on request (redeliverWebhookEvents), not by surprise.
        cursor: await deliveredThrough(tx),
      },
    });
    await recordChange(tx, caller, {
      merchantId: owner.merchantId,
      action: "webhookEndpoint.create",
      objectType: "WebhookEndpoint",
      objectId: endpoint.id,
      data: { url, eventTypes, salesUnitIds: units.ids, partnerId: owner.partnerId },
      event: {
        type: "webhookEndpoint.CREATED",
        salesUnitId: null,
        payload: { url, eventTypes: [...eventTypes], salesUnitIds: unitIdsOf(units.ids), partnerId: owner.partnerId === null ? null : publicId("Partner", owner.partnerId) },
      },
    });
    return { endpoint, secret };
  });
}

/** Locks the endpoint row: changes of one endpoint happen one at a time, and the worker's fan-out waits for them. */
async function lockedEndpoint(tx: Tx, endpointId: string): Promise<WebhookEndpoint> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WebhookEndpoint" WHERE id = ${uuidOrNil(endpointId)}::uuid FOR UPDATE`;
  if (rows.length === 0) throw new NotFoundError("webhook endpoint");
  return tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
}

export interface UpdateWebhookEndpointInput {
  webhookEndpointId: string;
  url?: string | null;
  eventTypes?: readonly string[] | null;
  salesUnitIds?: readonly string[] | null;
  description?: string | null;
}

export async function updateWebhookEndpoint(deps: Services, caller: Caller, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
  if (input.url == null && input.eventTypes == null && input.salesUnitIds == null && input.description === undefined) {
    throw new ValidationError("Give what to change: url, eventTypes, salesUnitIds or description.", "url");
  }
  const eventTypes = input.eventTypes == null ? undefined : validateEventTypes(input.eventTypes);
  const description = input.description === undefined ? undefined : validateDescription(input.description);
  return deps.db.$transaction(async (tx) => {
    const before = await lockedEndpoint(tx, input.webhookEndpointId);
    const units = await checkedUnits(tx, before, input.salesUnitIds ?? before.salesUnitIds);
    // The URL is checked again when the units change: http may have been allowed only for test units.
    const url = validateWebhookUrl(input.url ?? before.url, { testUnitsOnly: units.testUnitsOnly, allowPrivateNetwork: deps.config.webhooks.allowPrivateNetwork });
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: { url, eventTypes, salesUnitIds: units.ids, ...(description === undefined ? {} : { description }) },
    });
    await recordChange(tx, caller, {
      merchantId: before.merchantId,
      action: "webhookEndpoint.update",
      objectType: "WebhookEndpoint",
      objectId: before.id,
      data: {
        before: { url: before.url, eventTypes: before.eventTypes, salesUnitIds: before.salesUnitIds },
        after: { url: endpoint.url, eventTypes: endpoint.eventTypes, salesUnitIds: endpoint.salesUnitIds },
      },
      event: { type: "webhookEndpoint.UPDATED", salesUnitId: null, payload: { url: endpoint.url, eventTypes: endpoint.eventTypes, salesUnitIds: unitIdsOf(endpoint.salesUnitIds) } },
    });
    return endpoint;
  });
}

/**
 * Disabling stops delivery (pending deliveries wait); enabling resumes it with the events from then on, and what
 * waited. Events of the disabled period are replayed with redeliverWebhookEvents.
 */
export async function setWebhookEndpointEnabled(deps: Services, caller: Caller, input: { webhookEndpointId: string; enabled: boolean }): Promise<WebhookEndpoint> {
  return deps.db.$transaction(async (tx) => {
    const before = await lockedEndpoint(tx, input.webhookEndpointId);
    const wanted = input.enabled ? "ENABLED" : "DISABLED";
    if (before.status === wanted) return before;
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: input.enabled ? { status: "ENABLED", disabledReason: null, cursor: await deliveredThrough(tx) } : { status: "DISABLED", disabledReason: "Disabled by a user." },
    });
    await recordChange(tx, caller, {
      merchantId: before.merchantId,
      action: input.enabled ? "webhookEndpoint.enable" : "webhookEndpoint.disable",
      objectType: "WebhookEndpoint",
      objectId: before.id,
      data: { url: before.url },
      event: input.enabled
        ? { type: "webhookEndpoint.ENABLED", salesUnitId: null, payload: { url: before.url } }
        : { type: "webhookEndpoint.DISABLED", salesUnitId: null, payload: { url: before.url, reason: null } },
    });
    return endpoint;
  });
}

/** Deleting drops its deliveries and their attempt log; the audit rows stay. Returns the deleted id. */
export async function deleteWebhookEndpoint(deps: Services, caller: Caller, webhookEndpointId: string): Promise<string> {
  return deps.db.$transaction(async (tx) => {
    const endpoint = await lockedEndpoint(tx, webhookEndpointId);
    await tx.webhookEndpoint.delete({ where: { id: endpoint.id } });
    await recordChange(tx, caller, {
      merchantId: endpoint.merchantId,
      action: "webhookEndpoint.delete",
      objectType: "WebhookEndpoint",
      objectId: endpoint.id,
      data: { url: endpoint.url, partnerId: endpoint.partnerId },
      event: { type: "webhookEndpoint.DELETED", salesUnitId: null, payload: { url: endpoint.url } },
    });
    return endpoint.id;
  });
}

/** A new secret; the current one keeps signing (a second signature header) until the overlap ends. */
export async function rotateWebhookEndpointSecret(deps: Services, caller: Caller, webhookEndpointId: string): Promise<EndpointWithSecret> {
  const secret = newSecret();
  const overlapEnds = new Date(deps.clock.now().getTime() + deps.config.webhooks.secretOverlapMs);
  return deps.db.$transaction(async (tx) => {
    const before = await lockedEndpoint(tx, webhookEndpointId);
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: {
        secretEncrypted: encryptSecret(secret, deps.encryptionKey),
        previousSecretEncrypted: deps.config.webhooks.secretOverlapMs > 0 ? before.secretEncrypted : null,
        previousSecretExpiresAt: deps.config.webhooks.secretOverlapMs > 0 ? overlapEnds : null,
      },
    });
    await recordChange(tx, caller, {
      merchantId: before.merchantId,
      action: "webhookEndpoint.rotateSecret",
      objectType: "WebhookEndpoint",
      objectId: before.id,
      data: { previousSecretSignsUntil: endpoint.previousSecretExpiresAt?.toISOString() ?? null },
      event: { type: "webhookEndpoint.SECRET_ROTATED", salesUnitId: null, payload: { previousSecretSignsUntil: endpoint.previousSecretExpiresAt?.toISOString() ?? null } },
    });
    return { endpoint, secret };
  });
}

function assertEnabled(endpoint: WebhookEndpoint) {
  if (endpoint.status !== "ENABLED") throw new InvalidStateError("The endpoint is disabled: enable it first, then redeliver.");
}

/** Queues one event again for the endpoint: a new delivery id, the same event id (the receivers' idempotency key). */
export async function redeliverWebhookEvent(deps: Services, caller: Caller, input: { webhookEndpointId: string; eventId: string }) {
  const outboxId = decodeEventId(input.eventId);
  if (outboxId === null) throw new ValidationError("eventId must be the id of an event a delivery carried (evt_…).", "eventId");
  return deps.db.$transaction(async (tx) => {
    const endpoint = await lockedEndpoint(tx, input.webhookEndpointId);
    assertEnabled(endpoint);
    const event = await tx.outboxEvent.findUnique({ where: { id: outboxId } });
    // The event must be one this endpoint subscribes to, already sequenced, and one its owner may see now.
    const access = event ? await loadOwnerAccess(tx, endpoint) : null;
    if (
      !event ||
      event.deliverySeq === null ||
      !endpoint.eventTypes.includes(event.type) ||
      (endpoint.salesUnitIds.length > 0 && !endpoint.salesUnitIds.includes(event.salesUnitId ?? "")) ||
      !access ||
      !mayReceive(access, event)
    ) {
      throw new NotFoundError("webhook event");
    }
    const delivery = await tx.webhookDelivery.create({
      data: { endpointId: endpoint.id, outboxEventId: event.id, deliverySeq: event.deliverySeq, eventType: event.type, aggregateId: event.aggregateId, redelivery: true },
    });
    await recordAudit(tx, caller, {
      merchantId: endpoint.merchantId,
      action: "webhookEndpoint.redeliver",
      objectType: "WebhookEndpoint",
      objectId: endpoint.id,
      data: { eventId: input.eventId, deliveryId: delivery.id },
    });
    return delivery;
  });
}

/**
 * Queues again every event of the period [from, to) the endpoint subscribes to, in delivery order. Whether the owner
 * may see each one is checked when it is sent, as for every delivery. Answers how many were queued.
 */
export async function redeliverWebhookEvents(deps: Services, caller: Caller, input: { webhookEndpointId: string; from: Date; to: Date }): Promise<number> {
  if (!(input.from < input.to)) throw new ValidationError("from must be before to.", "from");
  return deps.db.$transaction(async (tx) => {
    const endpoint = await lockedEndpoint(tx, input.webhookEndpointId);
    assertEnabled(endpoint);
    const filter = eventFilterSql(endpoint, 2);
    const counted = await tx.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*)::bigint AS n FROM "OutboxEvent" o WHERE o."deliverySeq" IS NOT NULL AND o."createdAt" >= $1 AND o."createdAt" < $2 AND ${filter.sql}`,
      input.from,
      input.to,
      ...filter.params,
    );
    const n = Number(counted[0]?.n ?? 0);
    if (n > MAX_REDELIVERY_EVENTS) {
      throw new LimitReachedError(`The period holds ${n} events; at most ${MAX_REDELIVERY_EVENTS} can be redelivered at once: choose a shorter period.`, MAX_REDELIVERY_EVENTS);
    }
    const insertFilter = eventFilterSql(endpoint, 3);
    await tx.$executeRawUnsafe(
      `INSERT INTO "WebhookDelivery" (id, "endpointId", "outboxEventId", "deliverySeq", "eventType", "aggregateId", redelivery, "nextAttemptAt", "createdAt")
       SELECT gen_random_uuid(), $3::uuid, o.id, o."deliverySeq", o.type, o."aggregateId", true, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
       FROM "OutboxEvent" o WHERE o."deliverySeq" IS NOT NULL AND o."createdAt" >= $1 AND o."createdAt" < $2 AND ${insertFilter.sql}
       ORDER BY o."deliverySeq"`,
      input.from,
      input.to,
      endpoint.id,
      ...insertFilter.params,
    );
    await recordAudit(tx, caller, {
      merchantId: endpoint.merchantId,
      action: "webhookEndpoint.redeliverPeriod",
      objectType: "WebhookEndpoint",
      objectId: endpoint.id,
      data: { from: input.from.toISOString(), to: input.to.toISOString(), events: n },
    });
    return n;
  });
}

/**
 * The endpoint's subscription as SQL on the outbox row `o`, its parameters numbered after the first `offset`: its
 * types, its listed units, its owner's merchant or the partner's linked units. The worker's fan-out uses the same terms.
 */
export function eventFilterSql(endpoint: Pick<WebhookEndpoint, "eventTypes" | "salesUnitIds" | "merchantId" | "partnerId">, offset: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${offset + params.length}`;
  };
  const terms = [`o.type = ANY(${param(endpoint.eventTypes)}::text[])`];
  if (endpoint.salesUnitIds.length > 0) terms.push(`o."salesUnitId" = ANY(${param(endpoint.salesUnitIds)}::uuid[])`);
  if (endpoint.merchantId) terms.push(`o."merchantId" = ${param(endpoint.merchantId)}::uuid`);
  else terms.push(`o."salesUnitId" IN (SELECT s.id FROM "SalesUnit" s WHERE s."partnerId" = ${param(endpoint.partnerId)}::uuid)`);
  return { sql: terms.join(" AND "), params };
}

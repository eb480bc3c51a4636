/**
 * What a webhook POST carries (docs/webhooks.md): the JSON body, and the headers that sign it with the endpoint's
 * secret in the payment platform's scheme (src/auth/platform-signature.ts), plus the ids a receiver deduplicates on.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { signRequest } from "../auth/platform-signature";
import type { OutboxRecord } from "../events/outbox";

/** Event ids: the outbox row's id, zero-padded hex, so they are opaque and sort as strings. */
const EVENT_ID = /^evt_([0-7][0-9a-f]{15})$/;

export function encodeEventId(outboxId: bigint): string {
  return `evt_${outboxId.toString(16).padStart(16, "0")}`;
}

export function decodeEventId(eventId: string): bigint | null {
  const match = EVENT_ID.exec(eventId);
  return match ? BigInt(`0x${match[1]}`) : null;
}

/** An outbox row as a delivery carries it (its delivery sequence is the endpoint's business, not the receiver's). */
export type EnvelopeEvent = Omit<OutboxRecord, "seq">;

/** The body: the event's own fields, ids as the GraphQL API's global ids, the outbox payload under `data`. */
export function eventBody(event: EnvelopeEvent): string {
  return JSON.stringify({
    id: encodeEventId(event.id),
    type: event.type,
    occurredAt: event.createdAt.toISOString(),
    object: { type: event.aggregateType, id: encodeGlobalID(event.aggregateType, event.aggregateId) },
    merchantId: event.merchantId ? encodeGlobalID("Merchant", event.merchantId) : null,
    salesUnitId: event.salesUnitId ? encodeGlobalID("SalesUnit", event.salesUnitId) : null,
    data: event.payload,
  });
}

/** The second signature, with the previous secret during a rotation's overlap. */
export const PREVIOUS_SIGNATURE_HEADER = "x-ms-previous-authorization";

export interface DeliveryHeadersInput {
  url: string;
  body: string;
  date: Date;
  secret: string;
  previousSecret: string | null;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
}

export function deliveryHeaders(input: DeliveryHeadersInput): Record<string, string> {
  const signed = signRequest(input.secret, { url: input.url, body: input.body, date: input.date });
  const previous = input.previousSecret ? signRequest(input.previousSecret, { url: input.url, body: input.body, date: input.date }).authorization : null;
  return {
    "content-type": "application/json",
    "user-agent": "PortalGateway-Webhooks/1",
    ...signed,
    ...(previous ? { [PREVIOUS_SIGNATURE_HEADER]: previous } : {}),
    "x-webhook-delivery-id": input.deliveryId,
    "x-webhook-event-id": input.eventId,
    "x-webhook-event-type": input.eventType,
    "x-webhook-attempt": String(input.attempt),
    // The same event redelivered keeps its key: receivers deduplicate on it (or on the delivery id per attempt series).
    "idempotency-key": input.eventId,
  };
}

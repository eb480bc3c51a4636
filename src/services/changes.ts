/**
 * The one way a service records a change to a portal entity: its audit row and its outbox event (docs/events.md),
 * written by one statement inside the change's database transaction (a second event of the same change follows in
 * that transaction). A change thus commits with both or with
 * neither, and no call site can write one and forget the other. `recordAudit` stays for what is audited without
 * changing anything (revealing API keys, downloading a report with personal data); payments write their rows in
 * one statement of their own (src/services/transactions.ts).
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Prisma } from "../generated/prisma/client";
import type { Tx } from "../db/client";
import { ENTITY_EVENT_TYPES, NODE_AGGREGATE_TYPES, type EntityEventType } from "../events/catalog";
import { appendOutbox } from "../events/outbox";
import { auditInsertSql, type Actor, type AuditEntry } from "./audit";

/** An outbox event a change announces. */
export interface ChangeEvent {
  type: EntityEventType;
  /** The sales unit whose object changed; null for merchant-wide objects (users, orders, agreements…). */
  salesUnitId: string | null;
  /** The object the event is about, when it is not the audit row's object. */
  aggregateId?: string;
  /** Facts a receiver may read; public ids only, no secrets, no personal data (docs/events.md). */
  payload?: Record<string, Prisma.InputJsonValue | null>;
}

export interface Change extends AuditEntry {
  /** What the change announces: usually one event, a second when one change does two things (an order creating a sales unit). */
  event: ChangeEvent | readonly [ChangeEvent, ...ChangeEvent[]];
}

/** A database id as the API shows it: the global id of `type`. */
export const publicId = (type: string, id: string): string => encodeGlobalID(type, id);

/**
 * The payload's envelope: the object's public id (for aggregates without one of their own, API keys and Login
 * set-up, the sales unit's id says whose they are), the merchant's and the sales unit's global ids, then the event's
 * own facts.
 */
function payloadOf(aggregateType: string, aggregateId: string, merchantId: string | null, event: ChangeEvent): Prisma.InputJsonObject {
  const id = NODE_AGGREGATE_TYPES.has(aggregateType) ? publicId(aggregateType, aggregateId) : null;
  return {
    ...(id === null ? {} : { id }),
    merchantId: merchantId === null ? null : publicId("Merchant", merchantId),
    salesUnitId: event.salesUnitId === null ? null : publicId("SalesUnit", event.salesUnitId),
    ...event.payload,
  };
}

/** Writes the change's audit row and its events, after the change, in its transaction (`tx`). */
export async function recordChange(tx: Tx, by: { actor: Actor } | Actor, change: Change): Promise<void> {
  const actor = "actor" in by ? by.actor : by;
  const { event, ...entry } = change;
  const events: readonly ChangeEvent[] = Array.isArray(event) ? event : [event as ChangeEvent];
  // The audit row rides in the first event's statement: one round trip, and one statement cannot half-succeed.
  let alsoWrite = [auditInsertSql(actor, entry)];
  for (const one of events) {
    const { aggregateType } = ENTITY_EVENT_TYPES[one.type];
    const aggregateId = one.aggregateId ?? entry.objectId;
    await appendOutbox(
      tx,
      { type: one.type, aggregateType, aggregateId, merchantId: entry.merchantId, salesUnitId: one.salesUnitId, payload: payloadOf(aggregateType, aggregateId, entry.merchantId, one) },
      alsoWrite,
    );
    alsoWrite = [];
  }
}

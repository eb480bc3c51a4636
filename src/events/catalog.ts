/**
 * Every event type the outbox carries, in one table: its name, the aggregate it is about, what it means, and who may
 * receive it. The live feeds and the webhook deliveries both ask `mayReceive`, at delivery time, with the receiver's
 * access as it is then: an event never reaches someone who may not see its object now.
 *
 * Names are `<aggregate>.<EVENT>`: the aggregate in camelCase, the event in upper case (`transaction.CAPTURED`,
 * `salesUnit.DEACTIVATED`). An event of a sales unit's object carries that sales unit's id in the outbox row; an
 * event of a merchant-wide object carries only the merchant's id.
 */
import type { Access, Action } from "../auth/permissions";
import type { OutboxRecord } from "./outbox";

export interface EventTypeSpec {
  type: string;
  aggregateType: string;
  description: string;
  /**
   * What the receiver must be allowed: the action on the event's sales unit (when the row names one) or on its
   * merchant (when it names only the merchant). `null`: operators only.
   */
  requires: Action | null;
}

const TRANSACTION_EVENTS = ["REQUESTED", "RESERVED", "REJECTED", "EXPIRED", "CAPTURED", "CANCELLED", "REFUNDED"] as const;

export const EVENT_TYPES: readonly EventTypeSpec[] = [
  ...TRANSACTION_EVENTS.map((event) => ({
    type: `transaction.${event}`,
    aggregateType: "Transaction",
    description: `A payment was ${event.toLowerCase()}; the payload carries its amounts after the change.`,
    requires: "VIEW_TRANSACTIONS" as const,
  })),
];

const BY_TYPE = new Map(EVENT_TYPES.map((spec) => [spec.type, spec]));

export function eventTypeSpec(type: string): EventTypeSpec | undefined {
  return BY_TYPE.get(type);
}

/** May a principal with `access` receive this event now? Unknown types reach no one. */
export function mayReceive(access: Access, event: Pick<OutboxRecord, "type" | "merchantId" | "salesUnitId">): boolean {
  const spec = BY_TYPE.get(event.type);
  if (!spec) return false;
  if (spec.requires === null) return access.merchantIds("VIEW_SALES_UNIT") === "*";
  if (event.salesUnitId && event.merchantId) return access.canOnSalesUnit(spec.requires, { id: event.salesUnitId, merchantId: event.merchantId });
  if (event.merchantId) return access.canOnMerchant(spec.requires, event.merchantId);
  return access.merchantIds(spec.requires) === "*";
}

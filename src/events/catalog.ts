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
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { qrCodePolicy } from "../auth/policies/qr-code";
import { APPLY_ACTION } from "../auth/policies/recurring-request";
import type { Prisma } from "../generated/prisma/client";
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
  /**
   * For a merchant-wide object only holders of `requires` on the whole merchant may read (webhook endpoints): its
   * events go to them alone, not to whoever holds the action on one of the merchant's sales units.
   */
  wholeMerchant?: true;
}

/** Customer service, told by its access (the one that reaches every merchant's sales units): `mayReceive` has no principal. */
const isOperatorAccess = (access: Access) => access.merchantIds("VIEW_SALES_UNIT") === "*";

const TRANSACTION_EVENTS = ["REQUESTED", "RESERVED", "REJECTED", "EXPIRED", "CAPTURED", "CANCELLED", "REFUNDED"] as const;

/**
 * The events of the portal's other entities, written by `recordChange` (src/services/changes.ts) with the change's
 * audit row. Their payloads are listed in docs/events.md.
 */
export const ENTITY_EVENT_TYPES = {
  "salesUnit.CREATED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "A sales unit was created: a test sales unit, or a production one by a completed product order." },
  "salesUnit.UPDATED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "A sales unit's name, logo, settlement frequency or capabilities changed." },
  "salesUnit.SETTLEMENT_ACCOUNT_UPDATED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "A sales unit's settlement account changed; the payload shows only its last four digits." },
  "salesUnit.ACTIVATED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "A provisioned test sales unit became active." },
  "salesUnit.DEACTIVATED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "A sales unit was deactivated." },
  "salesUnit.PARTNER_LINKED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "Customer service linked a partner to the sales unit (replacing any other)." },
  "salesUnit.PARTNER_UNLINKED": { aggregateType: "SalesUnit", requires: "VIEW_SALES_UNIT", description: "Customer service removed the sales unit's partner." },
  "apiKeys.ROTATED": { aggregateType: "ApiKeys", requires: "DEVELOPER", description: "One part of a sales unit's API keys was replaced; the payload names the part, never a key." },
  "login.REDIRECT_URIS_SET": { aggregateType: "LoginConfig", requires: "DEVELOPER", description: "A sales unit's Login redirect URIs were replaced." },
  "login.CONSENTS_SET": { aggregateType: "LoginConfig", requires: "DEVELOPER", description: "A sales unit's Login marketing consents, terms and privacy URLs were replaced." },
  "login.ACTIVATED": { aggregateType: "LoginConfig", requires: "DEVELOPER", description: "Login was switched on for a sales unit." },
  "login.DEACTIVATED": { aggregateType: "LoginConfig", requires: "DEVELOPER", description: "Login was switched off for a sales unit." },
  "qrCode.CREATED": { aggregateType: "QrCode", requires: qrCodePolicy.action, description: "A merchant redirect QR code was created." },
  "qrCode.UPDATED": { aggregateType: "QrCode", requires: qrCodePolicy.action, description: "A QR code's name or URL changed (its image stays the same)." },
  "qrCode.DELETED": { aggregateType: "QrCode", requires: qrCodePolicy.action, description: "A QR code was deleted; printed copies now lead to a not-found page." },
  "paymentLink.CREATED": { aggregateType: "PaymentLink", requires: paymentLinkPolicy.action, description: "A payment link was created." },
  "paymentLink.DEACTIVATED": { aggregateType: "PaymentLink", requires: paymentLinkPolicy.action, description: "A payment link was deactivated and takes no more payments." },
  "recurringRequest.CREATED": { aggregateType: "RecurringRequest", requires: APPLY_ACTION, description: "A sales unit applied for recurring payments." },
  "recurringRequest.APPROVED": { aggregateType: "RecurringRequest", requires: APPLY_ACTION, description: "Customer service approved a recurring application; the sales unit now has recurring." },
  "recurringRequest.REJECTED": { aggregateType: "RecurringRequest", requires: APPLY_ACTION, description: "Customer service rejected a recurring application." },
  "user.ADDED": { aggregateType: "PortalUser", requires: "ADMINISTER_MERCHANT", description: "A person was given access to the merchant." },
  "user.PERMISSIONS_UPDATED": { aggregateType: "PortalUser", requires: "ADMINISTER_MERCHANT", description: "A person's role, extra permissions or sales units in the merchant changed." },
  "user.REMOVED": { aggregateType: "PortalUser", requires: "ADMINISTER_MERCHANT", description: "A person's access to the merchant was removed." },
  "user.ANONYMISED": { aggregateType: "PortalUser", requires: "ADMINISTER_MERCHANT", description: "A person's personal data was deleted and their accesses removed (one event per merchant they belonged to)." },
  "user.ADMINISTRATOR_TRANSFERRED": { aggregateType: "PortalUser", requires: "ADMINISTER_MERCHANT", description: "Customer service made a person the merchant's Administrator and demoted or removed the others." },
  "testUser.CREATED": { aggregateType: "TestUser", requires: "DEVELOPER", description: "A test-environment customer was generated for the merchant." },
  "merchant.UPDATED": { aggregateType: "Merchant", requires: "ADMINISTER_MERCHANT", description: "The merchant's company details changed; the payload names the fields, not their values." },
  "merchantAgreement.CREATED": { aggregateType: "MerchantAgreement", requires: null, description: "A person started a merchant agreement (a draft)." },
  "merchantAgreement.UPDATED": { aggregateType: "MerchantAgreement", requires: null, description: "A draft merchant agreement was changed." },
  "merchantAgreement.DELETED": { aggregateType: "MerchantAgreement", requires: null, description: "The applicant deleted a draft merchant agreement." },
  "merchantAgreement.SUBMITTED": { aggregateType: "MerchantAgreement", requires: null, description: "A merchant agreement was submitted for customer service to decide." },
  "merchantAgreement.APPROVED": { aggregateType: "MerchantAgreement", requires: null, description: "Customer service approved an agreement, which created the merchant." },
  "merchantAgreement.REJECTED": { aggregateType: "MerchantAgreement", requires: null, description: "Customer service rejected a merchant agreement." },
  "productOrder.CREATED": { aggregateType: "ProductOrder", requires: "ADMINISTER_MERCHANT", description: "The merchant ordered a product (Order solution)." },
  "productOrder.STARTED": { aggregateType: "ProductOrder", requires: "ADMINISTER_MERCHANT", description: "Customer service started work on a product order." },
  "productOrder.COMPLETED": { aggregateType: "ProductOrder", requires: "ADMINISTER_MERCHANT", description: "A product order was delivered (a new sales unit, a partner link or a capability)." },
  "productOrder.REJECTED": { aggregateType: "ProductOrder", requires: "ADMINISTER_MERCHANT", description: "Customer service rejected a product order." },
  "partnerKey.CREATED": { aggregateType: "PartnerKey", requires: null, description: "Customer service issued new client credentials to a partner." },
  "partnerKey.REVOKED": { aggregateType: "PartnerKey", requires: null, description: "A partner's client credentials were revoked; tokens issued with them stop working." },
  "reportRun.CREATED": { aggregateType: "ReportRun", requires: "ADMINISTER_MERCHANT", description: "A settlement report or transaction export was ordered." },
  "reportRun.READY": { aggregateType: "ReportRun", requires: "ADMINISTER_MERCHANT", description: "A report run's file is ready to download." },
  "reportRun.FAILED": { aggregateType: "ReportRun", requires: "ADMINISTER_MERCHANT", description: "A report run could not be made." },
  "reportSubscription.CREATED": { aggregateType: "ReportSubscription", requires: "ADMINISTER_MERCHANT", description: "Settlement reports are now e-mailed to an address on a schedule." },
  "reportSubscription.DELETED": { aggregateType: "ReportSubscription", requires: "ADMINISTER_MERCHANT", description: "A report subscription was deleted." },
  "reportSubscription.DISABLED": { aggregateType: "ReportSubscription", requires: "ADMINISTER_MERCHANT", description: "A report subscription stopped because the person who made it lost the access it rested on." },
  "webhookEndpoint.CREATED": { aggregateType: "WebhookEndpoint", requires: "DEVELOPER", wholeMerchant: true, description: "A webhook endpoint was registered. A partner's endpoint's events (this and the ones below) go to operators only." },
  "webhookEndpoint.UPDATED": { aggregateType: "WebhookEndpoint", requires: "DEVELOPER", wholeMerchant: true, description: "A webhook endpoint's URL, event types or sales units changed." },
  "webhookEndpoint.ENABLED": { aggregateType: "WebhookEndpoint", requires: "DEVELOPER", wholeMerchant: true, description: "A disabled webhook endpoint was switched on again." },
  "webhookEndpoint.DISABLED": { aggregateType: "WebhookEndpoint", requires: "DEVELOPER", wholeMerchant: true, description: "A webhook endpoint was switched off, by its owner or because deliveries failed for the whole retry window." },
  "webhookEndpoint.DELETED": { aggregateType: "WebhookEndpoint", requires: "DEVELOPER", wholeMerchant: true, description: "A webhook endpoint was deleted; nothing more is delivered to it." },
  "webhookEndpoint.SECRET_ROTATED": { aggregateType: "WebhookEndpoint", requires: "DEVELOPER", wholeMerchant: true, description: "A webhook endpoint's signing secret was replaced; the old one signs alongside until the overlap ends." },
} as const satisfies Record<string, Omit<EventTypeSpec, "type">>;

/** The type of an event `recordChange` writes. */
export type EntityEventType = keyof typeof ENTITY_EVENT_TYPES;

export const EVENT_TYPES: readonly EventTypeSpec[] = [
  ...TRANSACTION_EVENTS.map((event) => ({
    type: `transaction.${event}`,
    aggregateType: "Transaction",
    description: `A payment was ${event.toLowerCase()}; the payload carries its amounts after the change.`,
    requires: "VIEW_TRANSACTIONS" as const,
  })),
  ...Object.entries(ENTITY_EVENT_TYPES).map(([type, entry]): EventTypeSpec => ({ type, ...entry })),
];

const BY_TYPE = new Map(EVENT_TYPES.map((entry) => [entry.type, entry]));

/** Every action some event type requires: all that decides which events a receiver gets. */
export const EVENT_ACTIONS: ReadonlySet<Action> = new Set(EVENT_TYPES.flatMap((entry) => (entry.requires ? [entry.requires] : [])));

export function eventTypeSpec(type: string): EventTypeSpec | undefined {
  return BY_TYPE.get(type);
}

/** May a principal with `access` receive this event now? Unknown types reach no one. */
export function mayReceive(access: Access, event: Pick<OutboxRecord, "type" | "merchantId" | "salesUnitId">): boolean {
  const entry = BY_TYPE.get(event.type);
  if (!entry) return false;
  if (entry.requires === null) return isOperatorAccess(access);
  if (event.salesUnitId && event.merchantId) return access.canOnSalesUnit(entry.requires, { id: event.salesUnitId, merchantId: event.merchantId });
  if (event.merchantId) return entry.wholeMerchant ? access.canOnWholeMerchant(entry.requires, event.merchantId) : access.canOnMerchant(entry.requires, event.merchantId);
  // An event of no merchant's object (a partner's webhook endpoint): no merchant's users may have it; operators do.
  return isOperatorAccess(access);
}

/** The outbox rows of these types that `mayReceive` lets `access` receive, as a filter for lists of events. */
export function receivableWhere(access: Access, types: readonly string[]): Prisma.OutboxEventWhereInput {
  const byRule = new Map<string, { action: Action | null; wholeMerchant: boolean; types: string[] }>();
  for (const type of types) {
    const entry = BY_TYPE.get(type);
    if (!entry) continue;
    const rule = `${entry.requires} ${entry.wholeMerchant === true}`;
    const group = byRule.get(rule) ?? { action: entry.requires, wholeMerchant: entry.wholeMerchant === true, types: [] };
    group.types.push(type);
    byRule.set(rule, group);
  }
  const branches: Prisma.OutboxEventWhereInput[] = [];
  for (const { action, wholeMerchant, types: typesOf } of byRule.values()) {
    const type = { in: typesOf };
    if (action === null) {
      if (isOperatorAccess(access)) branches.push({ type });
      continue;
    }
    const merchants = access.merchantIds(action);
    const merchantWide = wholeMerchant ? access.wholeMerchantIds(action) : merchants;
    const rows: Prisma.OutboxEventWhereInput[] = [];
    if (merchants === "*" || merchants.length > 0) {
      rows.push({ AND: [{ salesUnitId: { not: null } }, access.salesUnitChildWhere(action) as Prisma.OutboxEventWhereInput] });
    }
    if (merchantWide === "*" || merchantWide.length > 0) {
      rows.push({ salesUnitId: null, merchantId: merchantWide === "*" ? { not: null } : { in: merchantWide } });
    }
    if (isOperatorAccess(access)) rows.push({ merchantId: null });
    if (rows.length > 0) branches.push({ type, OR: rows });
  }
  // Nothing is an empty `in`, not an empty OR, which Prisma reads as "no condition".
  return branches.length === 0 ? { type: { in: [] } } : { OR: branches };
}

/**
 * The merchants whose events of these types `access` may receive some of ("*": every merchant, and merchant-less
 * events such as agreements'), for a feed to index its subscriber by; `mayReceive` still decides per event.
 */
export function merchantsReceiving(access: Access, types: readonly string[]): readonly string[] | "*" {
  const merchants = new Set<string>();
  for (const type of types) {
    const entry = BY_TYPE.get(type);
    if (!entry) continue;
    // Operators receive the events of no merchant: customer service's own, and those of a partner's webhook endpoint.
    if (isOperatorAccess(access) && entry.aggregateType === "WebhookEndpoint") return "*";
    const reached = access.merchantIds(entry.requires ?? "VIEW_SALES_UNIT");
    if (reached === "*") return "*";
    if (entry.requires !== null) for (const id of reached) merchants.add(id);
  }
  return [...merchants];
}

/** Aggregates the API serves as Relay nodes: an event's object has a global id that `node(id:)` resolves. */
export const NODE_AGGREGATE_TYPES: ReadonlySet<string> = new Set([
  "Transaction",
  "SalesUnit",
  "QrCode",
  "PaymentLink",
  "RecurringRequest",
  "PortalUser",
  "Merchant",
  "MerchantAgreement",
  "ProductOrder",
  "PartnerKey",
  "ReportRun",
  "ReportSubscription",
  "TestUser",
  "WebhookEndpoint",
]);

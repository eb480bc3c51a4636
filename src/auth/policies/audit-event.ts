/**
 * The audit trail: Administrators read their merchants' events, customer service every merchant's. Partners and API
 * keys read none.
 */
import type { Condition } from "../../db/conditions";
import { administeredMerchants, administersOrOperates } from "./merchant";
import { isOperator, isPortalUser, type Who } from "./who";

/** May the caller ask for the audit trail at all (what it then sees is `visibleAuditEvents`)? */
export function mayReadAuditTrail(who: Who): boolean {
  return isPortalUser(who) || isOperator(who);
}

/** The AuditEvent rows the caller sees. */
export function visibleAuditEvents(who: Who): Condition {
  return administeredMerchants(who);
}

/** May the caller read this event (the check `visibleAuditEvents` filters by)? Events of no merchant: operators only. */
export function canSeeAuditEvent(who: Who, event: { merchantId: string | null }): boolean {
  if (!mayReadAuditTrail(who)) return false;
  return event.merchantId === null ? isOperator(who) : administersOrOperates(who, event.merchantId);
}

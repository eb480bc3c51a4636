/**
 * The audit trail: Administrators read their merchants' events, customer service every merchant's. Partners and API
 * keys read none.
 */
import type { Condition } from "../../db/conditions";
import { administeredMerchants } from "./merchant";
import { isOperator, isPortalUser, type Who } from "./who";

/** May the caller ask for the audit trail at all (what it then sees is `visibleAuditEvents`)? */
export function mayReadAuditTrail(who: Who): boolean {
  return isPortalUser(who) || isOperator(who);
}

/** The AuditEvent rows the caller sees. */
export function visibleAuditEvents(who: Who): Condition {
  return administeredMerchants(who);
}

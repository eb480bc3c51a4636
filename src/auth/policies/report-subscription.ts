/**
 * Report subscriptions (settlement reports by e-mail). Only portal users hold them. A subscription for the whole
 * merchant needs the right on every sales unit (what an Administrator has); one for a sales unit needs it there. The
 * variant with payer names and messages also needs PERSONAL_DATA_REPORTS. Seeing one needs what creating it needed
 * (minus the personal-data right); the delivery job re-checks `accessCovers` before every mail.
 */
import { any, EVERYTHING, type Condition } from "../../db/conditions";
import type { Access } from "../permissions";
import { isPortalUser, NOTHING, type Who } from "./who";

type CoverAction = "VIEW_TRANSACTIONS" | "PERSONAL_DATA_REPORTS";

/** What a subscription covers: its merchant and, when it is for one, the sales unit as it is stored (with its owner). */
export interface SubscriptionTarget {
  merchantId: string;
  /** Null: the whole merchant. */
  salesUnit: { id: string; merchantId: string } | null;
  includePersonalData: boolean;
}

function covers(access: Access, action: CoverAction, target: SubscriptionTarget): boolean {
  return target.salesUnit
    ? access.canOnMerchant(action, target.merchantId) && access.canOnSalesUnit(action, target.salesUnit)
    : access.canOnWholeMerchant(action, target.merchantId);
}

/** Whether `access` covers a subscription: its transactions and, with payer data, the personal-data right. */
export function accessCovers(access: Access, target: SubscriptionTarget): boolean {
  return covers(access, "VIEW_TRANSACTIONS", target) && (!target.includePersonalData || covers(access, "PERSONAL_DATA_REPORTS", target));
}

/** May the caller subscribe an address to these reports (or stop such a subscription)? */
export function maySubscribe(who: Who, target: SubscriptionTarget): boolean {
  return isPortalUser(who) && accessCovers(who.access, target);
}

/** May the caller see this subscription: a portal user who could create it without personal data. */
export function canSeeSubscription(who: Who, row: { merchantId: string; salesUnitId: string | null }): boolean {
  const salesUnit = row.salesUnitId ? { id: row.salesUnitId, merchantId: row.merchantId } : null;
  return maySubscribe(who, { merchantId: row.merchantId, salesUnit, includePersonalData: false });
}

/** The ReportSubscription rows `canSeeSubscription` allows. */
export function visibleSubscriptions(who: Who): Condition {
  if (!isPortalUser(who)) return NOTHING;
  const whole = who.access.wholeMerchantIds("VIEW_TRANSACTIONS");
  return any([whole === "*" ? EVERYTHING : { field: "merchantId", in: whole }, { field: "salesUnitId", in: who.access.listedSalesUnitIds("VIEW_TRANSACTIONS") }]);
}

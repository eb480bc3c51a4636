/**
 * Settlements and their reports: whoever may view the sales unit's transactions. The variant of a report with payer
 * names and messages needs PERSONAL_DATA_REPORTS there too.
 */
import type { Access } from "../permissions";
import { unitChildPolicy } from "./sales-unit-child";

export const settlementPolicy = unitChildPolicy("VIEW_TRANSACTIONS");

export const PERSONAL_DATA_ACTION = "PERSONAL_DATA_REPORTS" as const;

/** May the caller download the settlement report with payer names and messages? */
export function mayReadPersonalData(access: Access, unit: { id: string; merchantId: string }): boolean {
  return access.canOnSalesUnit(PERSONAL_DATA_ACTION, unit);
}

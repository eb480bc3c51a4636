/**
 * Report runs (settlement reports and transaction exports): a run is its creator's alone, and stays readable only
 * while the creator's access still covers what it covers. Making a settlement report needs VIEW_TRANSACTIONS (and
 * PERSONAL_DATA_REPORTS for payer names and messages) on every sales unit it covers; the whole merchant's needs them
 * on the whole merchant. The schema (`node(id:)`, `createReportRun`) and the download route ask this module.
 */
import { all, type Condition } from "../../db/conditions";
import type { Access, Action } from "../permissions";
import { mayExportPayers, viewableTransactions } from "./transaction";
import { NOTHING, type Who } from "./who";

/** The actions a settlement report needs on what it covers. */
export function settlementReportActions(includePersonalData: boolean): Action[] {
  return includePersonalData ? ["VIEW_TRANSACTIONS", "PERSONAL_DATA_REPORTS"] : ["VIEW_TRANSACTIONS"];
}

/**
 * May the caller report on these sales units of the merchant (`units` as loaded, null for one that does not exist)?
 * No units: the whole merchant.
 */
export function mayReportOn(access: Access, merchantId: string, units: readonly ({ id: string; merchantId: string } | null)[], actions: readonly Action[]): boolean {
  if (units.length === 0) return actions.every((action) => access.canOnWholeMerchant(action, merchantId));
  return units.every((unit) => unit !== null && unit.merchantId === merchantId && actions.every((action) => access.canOnSalesUnit(action, unit)));
}

/** Did the caller create the run? */
export function isRunCreator(who: Who, run: { createdByKind: string; createdById: string }): boolean {
  return who.principal !== null && run.createdByKind === who.principal.kind && run.createdById === who.principal.id;
}

/** The ReportRun rows `isRunCreator` allows. */
export function ownReportRuns(who: Who): Condition {
  if (!who.principal) return NOTHING;
  return all([
    { field: "createdByKind", eq: who.principal.kind },
    { field: "createdById", eq: who.principal.id },
  ]);
}

/**
 * A condition as comparable text: object keys sorted (jsonb keeps its own key order) and every array sorted, since
 * each array in a condition is a set (`any` and `all` terms, `in` values) whose order follows the order of the
 * principal's memberships and grants, which is no part of what they allow.
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (Array.isArray(v)) return v.map((item) => canonical(item)).sort();
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });
}

/**
 * What a stored sales-unit scope (`salesUnitChildScope`: any of merchant, or merchant and units) reaches, as sorted
 * "merchant:unit" and "merchant:*" pairs: the same reach compares equal however the terms were grouped (one per grant
 * before, one per merchant now) or ordered. Any other shape compares as its canonical JSON.
 */
function reachOf(condition: unknown): string {
  const pairs = new Set<string>();
  const add = (term: unknown): boolean => {
    const t = term as Record<string, unknown> | null;
    if (!t || typeof t !== "object") return false;
    if (t.field === "merchantId" && typeof t.eq === "string") {
      pairs.add(`${t.eq}:*`);
      return true;
    }
    if (t.field === "salesUnitId" && Array.isArray(t.in) && t.in.length === 0) return true;
    const parts = Array.isArray(t.all) ? (t.all as Record<string, unknown>[]) : null;
    const merchant = parts?.find((p) => p.field === "merchantId" && typeof p.eq === "string");
    const units = parts?.find((p) => p.field === "salesUnitId" && Array.isArray(p.in));
    if (parts?.length !== 2 || !merchant || !units) return false;
    for (const unit of units.in as unknown[]) pairs.add(`${String(merchant.eq)}:${String(unit)}`);
    return true;
  };
  const c = condition as { any?: unknown } | null;
  const terms = c && Array.isArray(c.any) ? c.any : [condition];
  if (!terms.every(add)) return canonical(condition);
  const whole = new Set([...pairs].filter((p) => p.endsWith(":*")).map((p) => p.slice(0, -2)));
  return JSON.stringify([...pairs].filter((p) => p.endsWith(":*") || !whole.has(p.slice(0, p.indexOf(":")))).sort());
}

/**
 * Does `access` still cover what the run holds? A settlement report: its actions on its sales units (or the whole
 * merchant). An export: the same transactions as when it was made (`condition.access`, stored with the run), and
 * payer details and personal-data reports when it has payer columns.
 */
export function accessCoversRun(
  access: Access,
  run: { kind: string; condition: unknown; includePersonalData: boolean; merchantId: string | null; salesUnitIds: readonly string[] },
): boolean {
  if (run.kind === "TRANSACTIONS") {
    const stored = (run.condition as { access?: unknown } | null)?.access;
    const same = reachOf(JSON.parse(JSON.stringify(viewableTransactions(access)))) === reachOf(stored);
    return same && (!run.includePersonalData || mayExportPayers(access));
  }
  const merchantId = run.merchantId!;
  return mayReportOn(access, merchantId, run.salesUnitIds.map((id) => ({ id, merchantId })), settlementReportActions(run.includePersonalData));
}

/** May the caller read the run (`node(id:)`, its totals, its file)? Its creator, while their access still covers it. */
export function mayReadRun(
  who: Who,
  run: { createdByKind: string; createdById: string; kind: string; condition: unknown; includePersonalData: boolean; merchantId: string | null; salesUnitIds: readonly string[] },
): boolean {
  return isRunCreator(who, run) && accessCoversRun(who.access, run);
}

/**
 * Who sees which payments, and which of their details. The schema (Prisma path), the compiled read path (src/sql/)
 * and the downloads ask this file; nothing else derives a transaction rule.
 */
import { all, any, type Condition } from "../../db/conditions";
import type { Access } from "../permissions";
import { likeLiteral, searchTerm } from "../../domain/search";
import type { TransactionStatus } from "../../generated/prisma/enums";

/** The transactions list filter, with global ids already decoded. */
export interface TransactionListFilter {
  merchantId?: string | null;
  salesUnitIds?: readonly string[] | null;
  status?: readonly TransactionStatus[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  reference?: string | null;
  paymentLinkId?: string | null;
  search?: string | null;
  /** Requested amount, in minor units: exact, and an inclusive range. */
  amount?: number | null;
  amountFrom?: number | null;
  amountTo?: number | null;
}

/** Transactions the principal may view. */
export function viewableTransactions(access: Access): Condition {
  return access.salesUnitChildScope("VIEW_TRANSACTIONS");
}

/** May the principal view the payments of this sales unit (the check `viewableTransactions` filters by)? */
export function canViewTransactionsOf(access: Access, unit: { id: string; merchantId: string }): boolean {
  return access.canOnSalesUnit("VIEW_TRANSACTIONS", unit);
}

/** The merchants where the principal may view some sales unit's payments ("*": every merchant). */
export function merchantsWithViewableTransactions(access: Access): string[] | "*" {
  return access.merchantIds("VIEW_TRANSACTIONS");
}

/** Capture, cancel and refund on a payment of this sales unit (what `Transaction.availableActions` offers). */
export function mayManage(access: Access, tx: { salesUnitId: string; merchantId: string }): boolean {
  return access.canOnSalesUnit("MANAGE_TRANSACTIONS", { id: tx.salesUnitId, merchantId: tx.merchantId });
}

/** Payer name, phone, e-mail, message, shipping and staff names on a payment of this sales unit. */
export function canSeePayer(access: Access, tx: { salesUnitId: string; merchantId: string }): boolean {
  return access.canOnSalesUnit("VIEW_PAYER_DETAILS", { id: tx.salesUnitId, merchantId: tx.merchantId });
}

/** The rows (by `salesUnitId` and `merchantId`) whose payer details `canSeePayer` shows. */
export function payerVisible(access: Access): Condition {
  return access.salesUnitChildScope("VIEW_PAYER_DETAILS");
}

/**
 * Searching by payer is itself a read of payer data: only for callers who may see payer details wherever they may see
 * transactions.
 */
export function maySearchPayers(access: Access): boolean {
  return access.grants.every((g) => !g.actions.has("VIEW_TRANSACTIONS") || g.actions.has("VIEW_PAYER_DETAILS"));
}

/**
 * A file with payer names, contact details and messages makes its holder a controller of that personal data, as a
 * settlement report with them does: a transaction export has payer columns only for callers who may both see payer
 * details and take reports with personal data (PERSONAL_DATA_REPORTS) wherever they may see transactions.
 */
export function mayExportPayers(access: Access): boolean {
  return access.grants.every((g) => !g.actions.has("VIEW_TRANSACTIONS") || (g.actions.has("VIEW_PAYER_DETAILS") && g.actions.has("PERSONAL_DATA_REPORTS")));
}

/** The rows of the transactions list: what the principal may view, narrowed by the filter. */
export function transactionListCondition(filter: TransactionListFilter | null | undefined, access: Access): Condition {
  const conditions: Condition[] = [viewableTransactions(access)];
  if (filter?.merchantId) conditions.push({ field: "merchantId", eq: filter.merchantId });
  if (filter?.salesUnitIds) conditions.push({ field: "salesUnitId", in: filter.salesUnitIds });
  if (filter?.status?.length) conditions.push({ field: "status", in: filter.status });
  if (filter?.createdFrom) conditions.push({ field: "createdAt", gte: filter.createdFrom });
  if (filter?.createdTo) conditions.push({ field: "createdAt", lt: filter.createdTo });
  if (filter?.reference) conditions.push({ field: "reference", eq: filter.reference });
  if (filter?.paymentLinkId) conditions.push({ field: "paymentLinkId", eq: filter.paymentLinkId });
  if (filter?.amount != null) conditions.push({ field: "amount", eq: filter.amount });
  if (filter?.amountFrom != null) conditions.push({ field: "amount", gte: filter.amountFrom });
  // At most n, as written: n + 1 would not fit the column's type for the largest Int a client may send.
  if (filter?.amountTo != null) conditions.push({ field: "amount", lte: filter.amountTo });
  const search = searchTerm(filter?.search);
  if (search) {
    const pattern = likeLiteral(search);
    const text: Condition[] = [
      { field: "reference", contains: pattern, insensitive: true },
      { field: "description", contains: pattern, insensitive: true },
    ];
    if (maySearchPayers(access)) {
      text.push({ field: "payerName", contains: pattern, insensitive: true }, { field: "payerPhone", contains: likeLiteral(search.replace(/\s+/g, "")) });
    }
    conditions.push(any(text));
  }
  return all(conditions);
}

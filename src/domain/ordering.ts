/**
 * List orders people pick in the portal. Every order ends with the id in the same direction, so rows that tie on
 * the chosen column still come in one fixed order and a cursor names a single place in the list. The Prisma
 * resolvers and the compiled read path (src/sql/) take their columns from here.
 */
export type OrderDirection = "ASC" | "DESC";

export interface OrderColumn {
  column: string;
  direction: OrderDirection;
}

/** Transactions: created (the default, newest first), amount or status (in the order a payment moves through them). */
export const TRANSACTION_ORDER_COLUMNS = { CREATED_AT: "createdAt", AMOUNT: "amount", STATUS: "status" } as const;
/** Sales units: name (the default, A to Z) or MSN. */
export const SALES_UNIT_ORDER_COLUMNS = { NAME: "name", MSN: "msn" } as const;
/** User accesses: given (the default, oldest first) or the person's name, where the caller may read it. */
export const MEMBERSHIP_ORDER_FIELDS = ["CREATED_AT", "NAME"] as const;
/** Settlements: the period's start (the default, newest first) or the payout date. */
export const SETTLEMENT_ORDER_COLUMNS = { PERIOD: "periodStart", PAYOUT: "payoutDate" } as const;

/** The chosen column, then the id in the same direction. */
export function orderColumns(column: string, direction: OrderDirection): OrderColumn[] {
  return [
    { column, direction },
    { column: "id", direction },
  ];
}

/** The same order as a Prisma `orderBy`. */
export function prismaOrderBy(columns: readonly OrderColumn[]): Record<string, "asc" | "desc">[] {
  return columns.map(({ column, direction }) => ({ [column]: direction === "ASC" ? "asc" : "desc" }));
}

/** A page as Prisma's cursor paging asks for it (what the prisma plugin passes to a connection's resolver). */
export interface CursorPage {
  cursor?: { id: string };
  skip?: number;
  /** Rows after the cursor; negative: rows before it, counted back. */
  take: number;
}

/**
 * The ids of one page of a list already in order, as Prisma would cut it: from the cursor row (or the start, or for
 * a negative `take` back from the cursor row or the end), skipping `skip` rows, `take` rows, in list order. For an
 * order Prisma cannot express (an SQL expression); a cursor no longer in the list gives an empty page.
 */
export function pageOfOrderedIds(ids: readonly string[], page: CursorPage): string[] {
  const skip = page.skip ?? 0;
  const at = page.cursor ? ids.indexOf(page.cursor.id) : -1;
  if (page.cursor && at < 0) return [];
  if (page.take >= 0) {
    const start = (page.cursor ? at : 0) + skip;
    return ids.slice(start, start + page.take);
  }
  const end = (page.cursor ? at + 1 : ids.length) - skip;
  return end <= 0 ? [] : ids.slice(Math.max(0, end + page.take), end);
}

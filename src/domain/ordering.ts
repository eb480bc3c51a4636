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

/**
 * Dashboard figures: counts and sums (requested, captured, refunded, cancelled) of the transactions a filter selects,
 * in total, by status, by day/week/month and by sales unit. One SQL statement answers all four groupings
 * (GROUPING SETS over one scan of the filtered rows); every grouping is also split by currency, since sums of
 * different currencies do not add up.
 *
 * Periods are calendar days, ISO weeks (Monday–Sunday) or months in the time zone of the payment's market, which the
 * currency gives: NOK → Europe/Oslo, DKK → Europe/Copenhagen, EUR → Europe/Helsinki (one merchant's payments share
 * one currency, so this is the merchant's own time zone).
 */
import { quoteIdent, SqlParams, TRANSACTION_COLUMN_TYPES, toSql, type Condition } from "../db/conditions";
import { toMinorSum, type MinorSum } from "../domain/money";
import type { Currency, TransactionStatus } from "../generated/prisma/enums";

export type AggregateInterval = "DAY" | "WEEK" | "MONTH";
export const AGGREGATE_INTERVALS = ["DAY", "WEEK", "MONTH"] as const satisfies readonly AggregateInterval[];

export const CURRENCY_TIME_ZONES: Readonly<Record<Currency, string>> = { NOK: "Europe/Oslo", DKK: "Europe/Copenhagen", EUR: "Europe/Helsinki" };


export interface Figures {
  currency: Currency;
  count: number;
  requested: MinorSum;
  captured: MinorSum;
  refunded: MinorSum;
  cancelled: MinorSum;
}

export interface TransactionAggregates {
  interval: AggregateInterval;
  /** One row per currency. */
  totals: Figures[];
  byStatus: (Figures & { status: TransactionStatus })[];
  /** `periodStart` is the first day of the period, "YYYY-MM-DD" in the market's time zone. */
  byPeriod: (Figures & { periodStart: string })[];
  bySalesUnit: (Figures & { salesUnitId: string })[];
}

const TRUNC: Record<AggregateInterval, string> = { DAY: "day", WEEK: "week", MONTH: "month" };

/** The local time of `createdAt` (stored as UTC without zone) in the market's time zone, as SQL. */
function localTime(column: string): string {
  const zones = Object.entries(CURRENCY_TIME_ZONES)
    .map(([currency, zone]) => `WHEN '${currency}' THEN '${zone}'`)
    .join(" ");
  return `((${column} AT TIME ZONE 'UTC') AT TIME ZONE (CASE t."currency"::text ${zones} END))`;
}

/** The one statement: rows tagged with the grouping they belong to (0 totals, 1 status, 2 period, 3 sales unit). */
export function aggregateStatement(condition: Condition, interval: AggregateInterval): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const where = toSql(condition, "t", TRANSACTION_COLUMN_TYPES, params);
  const period = `date_trunc('${TRUNC[interval]}', ${localTime(`t.${quoteIdent("createdAt")}`)})::date`;
  const text = `SELECT
  CASE WHEN GROUPING(f.status) = 0 THEN 1 WHEN GROUPING(f.period) = 0 THEN 2 WHEN GROUPING(f."salesUnitId") = 0 THEN 3 ELSE 0 END AS grouping,
  f.currency::text AS currency, f.status::text AS status, f.period::text AS period, f."salesUnitId"::text AS "salesUnitId",
  count(*)::int AS count,
  COALESCE(sum(f.amount), 0)::text AS requested, COALESCE(sum(f."capturedAmount"), 0)::text AS captured,
  COALESCE(sum(f."refundedAmount"), 0)::text AS refunded, COALESCE(sum(f."cancelledAmount"), 0)::text AS cancelled
FROM (
  SELECT t."currency" AS currency, t."status" AS status, t."salesUnitId" AS "salesUnitId", ${period} AS period,
    t."amount"::bigint AS amount, t."capturedAmount"::bigint AS "capturedAmount", t."refundedAmount"::bigint AS "refundedAmount", t."cancelledAmount"::bigint AS "cancelledAmount"
  FROM "Transaction" t
  WHERE ${where}
) f
GROUP BY GROUPING SETS ((f.currency), (f.currency, f.status), (f.currency, f.period), (f.currency, f."salesUnitId"))
ORDER BY 1, 2, 3, 4, 5`;
  return { text, values: params.values };
}

export interface AggregateRow {
  grouping: number;
  currency: string;
  status: string | null;
  period: string | null;
  salesUnitId: string | null;
  count: number;
  requested: string;
  captured: string;
  refunded: string;
  cancelled: string;
}

/** Pure: the statement's rows as the four groupings. */
export function aggregatesFromRows(rows: readonly AggregateRow[], interval: AggregateInterval): TransactionAggregates {
  const result: TransactionAggregates = { interval, totals: [], byStatus: [], byPeriod: [], bySalesUnit: [] };
  for (const row of rows) {
    const figures: Figures = {
      currency: row.currency as Currency,
      count: Number(row.count),
      requested: toMinorSum(row.requested),
      captured: toMinorSum(row.captured),
      refunded: toMinorSum(row.refunded),
      cancelled: toMinorSum(row.cancelled),
    };
    if (row.grouping === 1) result.byStatus.push({ ...figures, status: row.status as TransactionStatus });
    else if (row.grouping === 2) result.byPeriod.push({ ...figures, periodStart: row.period! });
    else if (row.grouping === 3) result.bySalesUnit.push({ ...figures, salesUnitId: row.salesUnitId! });
    else result.totals.push(figures);
  }
  return result;
}

/** Runs one statement with positional parameters and answers its rows (Prisma's `$queryRawUnsafe`, a pg pool, …). */
export type RawQuery = <R>(text: string, values: unknown[]) => Promise<R[]>;

export async function aggregateTransactions(query: RawQuery, condition: Condition, interval: AggregateInterval): Promise<TransactionAggregates> {
  const { text, values } = aggregateStatement(condition, interval);
  return aggregatesFromRows(await query<AggregateRow>(text, values), interval);
}

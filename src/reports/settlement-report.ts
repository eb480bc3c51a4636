/**
 * Settlement reports (docs/public-contract.md#settlement-report-columns): one line per CAPTURE or REFUND operation a settlement covers, with totals
 * that are the Settlement rows' own. The renderers next to this file turn a `SettlementReport` into bytes; this
 * file builds it, and is the only place that decides whether payer data goes in.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { Prisma } from "../generated/prisma/client";
import type { Currency } from "../generated/prisma/enums";
import type { Db } from "../db/client";
import { dayOf, ledgerDay } from "../domain/calendar";

export interface SettlementSummary {
  /** Relay global id, the one `node(id:)` resolves. */
  id: string;
  salesUnitName: string;
  msn: string;
  periodStart: string;
  periodEnd: string;
  payoutDate: string;
  currency: Currency;
  /** The settlement's own totals: 64-bit sums. */
  grossAmount: bigint;
  refundedAmount: bigint;
  feeAmount: bigint;
  netAmount: bigint;
}

/** The payer data; present only in the personal-data variant. */
export interface PayerData {
  firstName: string;
  lastName: string;
  message: string;
}

export interface ReportLine {
  salesDate: string;
  salesUnitName: string;
  msn: string;
  transactionId: string;
  settlementId: string;
  orderId: string;
  settlementDate: string;
  grossAmount: number;
  currency: Currency;
  feeAmount: number;
  refundAmount: number;
  netAmount: number;
  payer: PayerData | null;
}

export interface SettlementReport {
  merchantName: string;
  /** The payout dates a report run covers, inclusive; absent for a single settlement's report. */
  period?: { from: string; to: string };
  generatedAt: Date;
  includePersonalData: boolean;
  settlements: SettlementSummary[];
  /** Grouped by settlement in the order of `settlements`, oldest operation first within each. */
  lines: ReportLine[];
}

/** One column of the tabular formats, named as in docs/public-contract.md; amounts are minor units, dates "YYYY-MM-DD". */
export interface ReportColumn {
  header: string;
  kind: "text" | "freeText" | "date" | "amount";
  value(line: ReportLine): string | number;
}

const BASE_COLUMNS: ReportColumn[] = [
  { header: "SalesDate", kind: "date", value: (l) => l.salesDate },
  { header: "SalesUnitName", kind: "freeText", value: (l) => l.salesUnitName },
  { header: "MSN", kind: "text", value: (l) => l.msn },
  { header: "TransactionId", kind: "text", value: (l) => l.transactionId },
  { header: "SettlementId", kind: "text", value: (l) => l.settlementId },
  // The merchant's or partner's own reference may begin with "-": defused like free text.
  { header: "OrderId", kind: "freeText", value: (l) => l.orderId },
  { header: "SettlementDate", kind: "date", value: (l) => l.settlementDate },
  { header: "Gross", kind: "amount", value: (l) => l.grossAmount },
  { header: "Currency", kind: "text", value: (l) => l.currency },
  { header: "Fee", kind: "amount", value: (l) => l.feeAmount },
  { header: "Refund", kind: "amount", value: (l) => l.refundAmount },
  { header: "Net", kind: "amount", value: (l) => l.netAmount },
];

const PERSONAL_COLUMNS: ReportColumn[] = [
  { header: "PayerFirstName", kind: "freeText", value: (l) => l.payer?.firstName ?? "" },
  { header: "PayerLastName", kind: "freeText", value: (l) => l.payer?.lastName ?? "" },
  { header: "Message", kind: "freeText", value: (l) => l.payer?.message ?? "" },
];

export function reportColumns(includePersonalData: boolean): ReportColumn[] {
  return includePersonalData ? [...BASE_COLUMNS, ...PERSONAL_COLUMNS] : BASE_COLUMNS;
}

/** Sums of a report's settlements: per sales unit (and currency), or the grand total of a currency. 64-bit. */
export interface ReportTotals {
  /** Null in a grand total. */
  msn: string | null;
  salesUnitName: string | null;
  currency: Currency;
  settlements: number;
  gross: bigint;
  fee: bigint;
  refund: bigint;
  net: bigint;
}

/** Totals per sales unit (in MSN order) and grand totals per currency, from the settlements' own totals. */
export function reportTotals(report: Pick<SettlementReport, "settlements">): { bySalesUnit: ReportTotals[]; grand: ReportTotals[] } {
  const add = (map: Map<string, ReportTotals>, key: string, blank: () => ReportTotals, s: SettlementSummary) => {
    let totals = map.get(key);
    if (!totals) {
      totals = blank();
      map.set(key, totals);
    }
    totals.settlements += 1;
    totals.gross += s.grossAmount;
    totals.fee += s.feeAmount;
    totals.refund += s.refundedAmount;
    totals.net += s.netAmount;
  };
  const zero = { settlements: 0, gross: 0n, fee: 0n, refund: 0n, net: 0n };
  const units = new Map<string, ReportTotals>();
  const grand = new Map<string, ReportTotals>();
  for (const s of report.settlements) {
    add(units, `${s.msn} ${s.currency}`, () => ({ msn: s.msn, salesUnitName: s.salesUnitName, currency: s.currency, ...zero }), s);
    add(grand, s.currency, () => ({ msn: null, salesUnitName: null, currency: s.currency, ...zero }), s);
  }
  const byKey = (a: ReportTotals, b: ReportTotals) => (a.msn ?? "").localeCompare(b.msn ?? "") || a.currency.localeCompare(b.currency);
  return { bySalesUnit: [...units.values()].sort(byKey), grand: [...grand.values()].sort(byKey) };
}

/** The report's lines per settlement global id, in report order. */
export function linesBySettlement(report: SettlementReport): Map<string, ReportLine[]> {
  const groups = new Map<string, ReportLine[]>(report.settlements.map((s) => [s.id, []]));
  for (const line of report.lines) groups.get(line.settlementId)?.push(line);
  return groups;
}

/**
 * Splits `total` over `weights` in proportion, in whole minor units, handing the remainder to the largest
 * fractions first (the largest-remainder method), so the parts always add up to `total`. With no positive
 * weight everything goes to the first part.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * Math.max(0, w)) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((value, i) => ({ i, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

/** "Kari Mette Nordmann" → first "Kari Mette", last "Nordmann": the register stores one name field. */
function splitName(fullName: string | null): { firstName: string; lastName: string } {
  const parts = (fullName ?? "").trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { firstName: parts[0] ?? "", lastName: "" };
  return { firstName: parts.slice(0, -1).join(" "), lastName: parts[parts.length - 1]! };
}

export interface SettlementRow {
  id: string;
  periodStart: Date;
  periodEnd: Date;
  payoutDate: Date;
  currency: Currency;
  grossAmount: number | bigint;
  refundedAmount: number | bigint;
  feeAmount: number | bigint;
  netAmount: number | bigint;
  salesUnit: { name: string; msn: string };
}

export interface OperationRow {
  id: string;
  type: "CAPTURE" | "REFUND";
  amount: number;
  createdAt: Date;
  settlementId: string;
  transaction: { id: string; reference: string; payerName: string | null; message: string | null };
}

/** The settlement's share of fees per line: by captured amount, so the column adds up exactly (see buildSettlementReport). */
function feeShares(settlement: SettlementRow, captured: readonly number[]): number[] {
  // One settlement's fee is far below 2^53, so a Number holds it exactly.
  return allocate(Number(settlement.feeAmount), captured);
}

const capturedAmount = (operation: Pick<OperationRow, "type" | "amount">) => (operation.type === "CAPTURE" ? operation.amount : 0);

/** Pure: the lines of `operations` (some of one settlement's, in order), `fees[i]` being the fee share of `operations[i]`. */
function settlementLines(settlement: SettlementRow, operations: readonly OperationRow[], fees: readonly number[], includePersonalData: boolean): ReportLine[] {
  const settlementId = encodeGlobalID("Settlement", settlement.id);
  return operations.map((operation, i) => {
    const gross = capturedAmount(operation);
    const refund = operation.type === "REFUND" ? operation.amount : 0;
    const fee = fees[i]!;
    return {
      salesDate: ledgerDay(operation.createdAt),
      salesUnitName: settlement.salesUnit.name,
      msn: settlement.salesUnit.msn,
      transactionId: encodeGlobalID("Transaction", operation.transaction.id),
      settlementId,
      orderId: operation.transaction.reference,
      settlementDate: dayOf(settlement.payoutDate),
      grossAmount: gross,
      currency: settlement.currency,
      feeAmount: fee,
      refundAmount: refund,
      netAmount: gross - refund - fee,
      payer: includePersonalData ? { ...splitName(operation.transaction.payerName), message: operation.transaction.message ?? "" } : null,
    };
  });
}

function settlementSummary(s: SettlementRow): SettlementSummary {
  return {
    id: encodeGlobalID("Settlement", s.id),
    salesUnitName: s.salesUnit.name,
    msn: s.salesUnit.msn,
    periodStart: dayOf(s.periodStart),
    periodEnd: dayOf(s.periodEnd),
    payoutDate: dayOf(s.payoutDate),
    currency: s.currency,
    grossAmount: BigInt(s.grossAmount),
    refundedAmount: BigInt(s.refundedAmount),
    feeAmount: BigInt(s.feeAmount),
    netAmount: BigInt(s.netAmount),
  };
}

/**
 * Pure: the report from database rows. Operations of settlements not in `settlements` are ignored. Fees are charged
 * per settlement; lines share them by captured amount, so the column adds up exactly (the first line carries the
 * fee of a settlement without captures).
 */
export function buildSettlementReport(settlements: readonly SettlementRow[], operations: readonly OperationRow[], options: ReportOptions): SettlementReport {
  const bySettlement = new Map<string, OperationRow[]>(settlements.map((s) => [s.id, []]));
  for (const operation of operations) bySettlement.get(operation.settlementId)?.push(operation);
  const lines = settlements.flatMap((settlement) => {
    const covered = bySettlement.get(settlement.id)!;
    return settlementLines(settlement, covered, feeShares(settlement, covered.map(capturedAmount)), options.includePersonalData);
  });
  return { ...reportHeading(settlements, options), lines };
}

function reportHeading(settlements: readonly SettlementRow[], options: ReportOptions): Omit<SettlementReport, "lines"> {
  return {
    merchantName: options.merchantName,
    ...(options.period ? { period: options.period } : {}),
    generatedAt: options.generatedAt,
    includePersonalData: options.includePersonalData,
    settlements: settlements.map(settlementSummary),
  };
}

type ReportOptions = { merchantName: string; generatedAt: Date; includePersonalData: boolean; period?: { from: string; to: string } };

/** The settlements matching `where`, oldest payout first. */
function readSettlements(db: Db, where: Prisma.SettlementWhereInput): Promise<SettlementRow[]> {
  return db.settlement.findMany({
    where,
    include: { salesUnit: { select: { name: true, msn: true } } },
    orderBy: [{ payoutDate: "asc" }, { periodStart: "asc" }, { id: "asc" }],
  });
}

const COVERED_TYPES: OperationRow["type"][] = ["CAPTURE", "REFUND"];

/**
 * The CAPTURE and REFUND operations these settlements cover, oldest first; with `page`, at most `page.take` of the one
 * settlement's, those after `page.after` (the order is the index's: settlementId, createdAt, id). Plain SQL: the
 * client's mapping of a relation costs about three times the read itself, and this runs once per page of a report.
 */
async function readOperations(
  db: Db,
  settlements: readonly SettlementRow[],
  includePersonalData: boolean,
  page?: { take: number; after: Pick<OperationRow, "createdAt" | "id"> | null },
): Promise<OperationRow[]> {
  const payer = includePersonalData ? Prisma.sql`t."payerName", t.message` : Prisma.sql`NULL AS "payerName", NULL AS message`;
  // The column is a timestamp without zone holding UTC: the ISO text read as such is the stored value exactly.
  const after = page?.after ? Prisma.sql`AND (o."createdAt", o.id) > (${page.after.createdAt.toISOString()}::timestamp, ${page.after.id}::uuid)` : Prisma.empty;
  const limit = page ? Prisma.sql`LIMIT ${page.take}` : Prisma.empty;
  // One settlement's read walks the index in order; a list of them is sorted (they are small: see settlementReportSource).
  const covered = settlements.length === 1 ? Prisma.sql`= ${settlements[0]!.id}::uuid` : Prisma.sql`= ANY(${settlements.map((s) => s.id)}::uuid[])`;
  const rows = await db.$queryRaw<(Omit<OperationRow, "transaction"> & { transactionId: string; reference: string; payerName: string | null; message: string | null })[]>`
    SELECT o.id::text AS id, o.type::text AS type, o.amount, o."createdAt", o."settlementId"::text AS "settlementId",
      t.id::text AS "transactionId", t.reference, ${payer}
    FROM "TransactionOperation" o JOIN "Transaction" t ON t.id = o."transactionId"
    WHERE o."settlementId" ${covered} AND o.type IN ('CAPTURE', 'REFUND') ${after}
    ORDER BY o."createdAt", o.id
    ${limit}`;
  return rows.map(({ transactionId, reference, payerName, message, ...operation }) => ({
    ...operation,
    transaction: { id: transactionId, reference, payerName, message },
  }));
}

/**
 * Reads the settlements matching `where` (oldest payout first) and the operations they cover, all at once. The
 * gateway itself writes reports from `settlementReportSource`, a page at a time; this whole form is the reference the
 * tests hold the streamed bytes against.
 */
export async function loadSettlementReport(db: Db, where: Prisma.SettlementWhereInput, options: ReportOptions): Promise<SettlementReport> {
  const settlements = await readSettlements(db, where);
  return buildSettlementReport(settlements, await readOperations(db, settlements, options.includePersonalData), options);
}

/** One settlement and its lines, a page at a time: the unit a report is written in. */
export interface SettlementGroup {
  settlement: SettlementSummary;
  /** The settlement's lines in report order, in pages; read each group's pages before asking for the next group. */
  pages: AsyncIterable<ReportLine[]>;
}

/**
 * A report as the renderers read it: its heading, every settlement's summary (one per sales unit and period, so
 * few), and the lines settlement by settlement, produced as the renderer asks for them.
 */
export interface ReportSource extends Omit<SettlementReport, "lines"> {
  groups(): AsyncIterable<SettlementGroup>;
}

async function* onePage(lines: ReportLine[]): AsyncIterable<ReportLine[]> {
  yield lines;
}

/** A report held in memory, as a source. */
export function reportSource(report: SettlementReport): ReportSource {
  const { lines: _lines, ...heading } = report;
  return {
    ...heading,
    async *groups() {
      const lines = linesBySettlement(report);
      for (const settlement of report.settlements) yield { settlement, pages: onePage(lines.get(settlement.id)!) };
    },
  };
}

/** Settlements counted at a time, and the most whose lines one read takes together. */
const SETTLEMENTS_PER_READ = 50;

/** Lines one read takes, and so about what a streamed report holds at a time. */
export const LINES_PER_READ = 2_000;

/** How many lines each of these settlements has. */
async function countLines(db: Db, settlements: readonly SettlementRow[]): Promise<Map<string, number>> {
  const counts = await db.transactionOperation.groupBy({
    by: ["settlementId"],
    where: { settlementId: { in: settlements.map((s) => s.id) }, type: { in: COVERED_TYPES } },
    _count: { _all: true },
  });
  return new Map(counts.map((row) => [row.settlementId!, row._count._all]));
}

/** The captured amount of each of the settlement's lines (0 for a refund), in report order: what its fee is shared by. */
async function capturedAmounts(db: Db, settlementId: string): Promise<number[]> {
  const [row] = await db.$queryRaw<{ amounts: number[] | null }[]>`
    SELECT array_agg(CASE WHEN type = 'CAPTURE' THEN amount ELSE 0 END ORDER BY "createdAt", id) AS amounts
    FROM "TransactionOperation" WHERE "settlementId" = ${settlementId}::uuid AND type IN ('CAPTURE', 'REFUND')`;
  return row?.amounts ?? [];
}

/**
 * One large settlement's lines, `linesPerRead` at a time. Its fee shares need every line's captured amount, so those
 * come first as one array of numbers; the lines follow page by page in the same order. A settled operation never
 * changes, so the two reads agree; should they not, the report fails rather than share the fee wrongly.
 */
async function* pagedLines(db: Db, settlement: SettlementRow, options: ReportOptions, linesPerRead: number): AsyncIterable<ReportLine[]> {
  const fees = feeShares(settlement, await capturedAmounts(db, settlement.id));
  let after: Pick<OperationRow, "createdAt" | "id"> | null = null;
  let read = 0;
  for (;;) {
    const operations = await readOperations(db, [settlement], options.includePersonalData, { take: linesPerRead, after });
    if (read + operations.length > fees.length) throw new Error(`Settlement ${settlement.id} gained operations while its report was written.`);
    if (operations.length > 0) yield settlementLines(settlement, operations, fees.slice(read, read + operations.length), options.includePersonalData);
    read += operations.length;
    if (operations.length < linesPerRead) break;
    after = operations[operations.length - 1]!;
  }
  if (read !== fees.length) throw new Error(`Settlement ${settlement.id} lost operations while its report was written.`);
}

/**
 * The report of the settlements matching `where`, read as it is written: the settlements first, then their lines
 * about `linesPerRead` at a time. Small settlements are read together (up to SETTLEMENTS_PER_READ of them, as long as
 * their lines fit in one read); a settlement with more lines than that is read on its own, page by page. So a year of
 * a whole merchant, or one settlement of a very busy sales unit, holds one read's lines in memory, not all of them.
 */
export async function settlementReportSource(
  db: Db,
  where: Prisma.SettlementWhereInput,
  options: ReportOptions,
  linesPerRead = LINES_PER_READ,
): Promise<ReportSource> {
  const settlements = await readSettlements(db, where);
  async function* readTogether(together: SettlementRow[]) {
    yield* reportSource(buildSettlementReport(together, await readOperations(db, together, options.includePersonalData), options)).groups();
  }
  return {
    ...reportHeading(settlements, options),
    async *groups() {
      for (let i = 0; i < settlements.length; i += SETTLEMENTS_PER_READ) {
        const batch = settlements.slice(i, i + SETTLEMENTS_PER_READ);
        const counts = await countLines(db, batch);
        let together: SettlementRow[] = [];
        let held = 0;
        for (const settlement of batch) {
          const lines = counts.get(settlement.id) ?? 0;
          if (together.length > 0 && held + lines > linesPerRead) {
            yield* readTogether(together);
            together = [];
            held = 0;
          }
          if (lines > linesPerRead) {
            yield { settlement: settlementSummary(settlement), pages: pagedLines(db, settlement, options, linesPerRead) };
          } else {
            together.push(settlement);
            held += lines;
          }
        }
        if (together.length > 0) yield* readTogether(together);
      }
    },
  };
}

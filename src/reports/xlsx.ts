/**
 * XLSX with exceljs: a "Lines" sheet (the report columns, real numbers and dates so sums and filters work) and a
 * "Settlements" sheet with each settlement's totals.
 */
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { dateOfDay } from "../domain/calendar";
import { reportColumns, reportSource, reportTotals, type ReportSource, type SettlementReport } from "./settlement-report";
import { defuse } from "./csv";
import { collect, committed, pause } from "./sink";

const AMOUNT_FORMAT = "#,##0.00";
const DATE_FORMAT = "yyyy-mm-dd";

/** Rows written between pauses for the output to drain and other work to run (a few milliseconds' worth). */
const ROWS_PER_SLICE = 250;

/** Dates go in as midnight UTC of the day: Excel stores dates without a zone, so that keeps the calendar date in every locale. */
function cellValue(kind: string, value: string | number): ExcelJS.CellValue {
  if (kind === "amount") return (value as number) / 100;
  if (kind === "date") return dateOfDay(value as string);
  // A text cell is not evaluated until someone edits it; then Excel would run it as a formula.
  return kind === "freeText" ? defuse(String(value)) : value;
}

/**
 * Writes the report to `out` (and ends it) through exceljs' streaming writer: the "Lines" sheet row by row as the
 * settlements' lines come, then the "Settlements" and "Totals" sheets. Answers the lines written.
 */
export async function writeXlsx(source: ReportSource, out: Writable): Promise<number> {
  // Fast deflate, so the zip stream keeps up with the rows (exceljs does not wait for its output).
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
  workbook.creator = "Portal Gateway";
  workbook.created = source.generatedAt;

  const columns = reportColumns(source.includePersonalData);
  const lines = workbook.addWorksheet("Lines", { views: [{ state: "frozen", ySplit: 1 }] });
  lines.columns = columns.map((column) => ({
    header: column.header,
    key: column.header,
    width: column.kind === "amount" ? 14 : column.kind === "date" ? 12 : Math.max(12, column.header.length + 2),
    style: column.kind === "amount" ? { numFmt: AMOUNT_FORMAT } : column.kind === "date" ? { numFmt: DATE_FORMAT } : {},
  }));
  lines.getRow(1).font = { bold: true };
  lines.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  let written = 0;
  for await (const { pages } of source.groups()) {
    for await (const page of pages) {
      for (const line of page) {
        lines.addRow(Object.fromEntries(columns.map((column) => [column.header, cellValue(column.kind, column.value(line))]))).commit();
        if (++written % ROWS_PER_SLICE === 0) await pause(out);
      }
    }
  }
  lines.commit();

  const summary = workbook.addWorksheet("Settlements", { views: [{ state: "frozen", ySplit: 1 }] });
  summary.columns = [
    { header: "SettlementId", key: "id", width: 20 },
    { header: "SalesUnitName", key: "salesUnitName", width: 28 },
    { header: "MSN", key: "msn", width: 10 },
    { header: "PeriodStart", key: "periodStart", width: 12, style: { numFmt: DATE_FORMAT } },
    { header: "PeriodEnd", key: "periodEnd", width: 12, style: { numFmt: DATE_FORMAT } },
    { header: "SettlementDate", key: "payoutDate", width: 14, style: { numFmt: DATE_FORMAT } },
    { header: "Currency", key: "currency", width: 10 },
    { header: "Gross", key: "grossAmount", width: 14, style: { numFmt: AMOUNT_FORMAT } },
    { header: "Fee", key: "feeAmount", width: 14, style: { numFmt: AMOUNT_FORMAT } },
    { header: "Refund", key: "refundedAmount", width: 14, style: { numFmt: AMOUNT_FORMAT } },
    { header: "Net", key: "netAmount", width: 14, style: { numFmt: AMOUNT_FORMAT } },
  ];
  for (const s of source.settlements) {
    summary.addRow({
      ...s,
      salesUnitName: defuse(s.salesUnitName),
      periodStart: dateOfDay(s.periodStart),
      periodEnd: dateOfDay(s.periodEnd),
      payoutDate: dateOfDay(s.payoutDate),
      grossAmount: Number(s.grossAmount) / 100,
      feeAmount: Number(s.feeAmount) / 100,
      refundedAmount: Number(s.refundedAmount) / 100,
      netAmount: Number(s.netAmount) / 100,
    });
  }
  summary.getRow(1).font = { bold: true };
  summary.commit();

  // Per sales unit and currency, then a grand total per currency (SalesUnitName "Total"). Numbers in major units; a
  // double holds sums up to 2^53 minor units exactly.
  const totalsSheet = workbook.addWorksheet("Totals", { views: [{ state: "frozen", ySplit: 1 }] });
  totalsSheet.columns = [
    { header: "MSN", key: "msn", width: 10 },
    { header: "SalesUnitName", key: "salesUnitName", width: 28 },
    { header: "Currency", key: "currency", width: 10 },
    { header: "Settlements", key: "settlements", width: 12 },
    ...(["Gross", "Fee", "Refund", "Net"] as const).map((header) => ({ header, key: header.toLowerCase(), width: 16, style: { numFmt: AMOUNT_FORMAT } })),
  ];
  const totals = reportTotals(source);
  for (const t of [...totals.bySalesUnit, ...totals.grand]) {
    totalsSheet.addRow({
      msn: t.msn ?? "",
      salesUnitName: t.salesUnitName === null ? "Total" : defuse(t.salesUnitName),
      currency: t.currency,
      settlements: t.settlements,
      gross: Number(t.gross) / 100,
      fee: Number(t.fee) / 100,
      refund: Number(t.refund) / 100,
      net: Number(t.net) / 100,
    });
  }
  totalsSheet.getRow(1).font = { bold: true };
  totalsSheet.commit();
  await committed(workbook, out);
  return written;
}

export function renderXlsx(report: SettlementReport): Promise<Buffer> {
  return collect((out) => writeXlsx(reportSource(report), out));
}

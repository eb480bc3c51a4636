/**
 * Transaction exports: what a transaction filter selects (the `transactions` list's rows and order: newest first), as
 * CSV or XLSX, streamed. Rows come from a PostgreSQL cursor in batches and go to the output stream batch by batch, so
 * memory stays flat however many rows there are. The payer columns are there only when the caller may see payer details
 * wherever it may see transactions (the same rule as searching by payer); free text is defused as in the reports.
 */
import type { Writable } from "node:stream";
import { encodeGlobalID } from "@pothos/plugin-relay";
import ExcelJS from "exceljs";
import { SqlParams, TRANSACTION_COLUMN_TYPES, toSql, type Condition } from "../db/conditions";
import { formatMinorUnits } from "../domain/money";
import { CSV_BOM, csvField, defuse } from "./csv";
import { committed, end, pause, write } from "./sink";

export type ExportFormat = "CSV" | "XLSX";

/** Rows fetched from the cursor at a time. */
export const EXPORT_BATCH_SIZE = 2_000;

interface ExportRow {
  id: string;
  created: string;
  salesUnitName: string;
  msn: string;
  reference: string;
  description: string | null;
  status: string;
  currency: string;
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  cancelledAmount: number;
  payerName?: string | null;
  payerPhone?: string | null;
  payerEmail?: string | null;
  message?: string | null;
}

interface ExportColumn {
  header: string;
  kind: "text" | "freeText" | "amount" | "timestamp";
  value(row: ExportRow): string | number;
  width: number;
}

const BASE_COLUMNS: ExportColumn[] = [
  { header: "CreatedAt", kind: "timestamp", value: (r) => r.created, width: 22 },
  { header: "TransactionId", kind: "text", value: (r) => encodeGlobalID("Transaction", r.id), width: 24 },
  { header: "SalesUnitName", kind: "freeText", value: (r) => r.salesUnitName, width: 24 },
  { header: "MSN", kind: "text", value: (r) => r.msn, width: 8 },
  // The merchant's or partner's own reference may begin with "-": defused like free text.
  { header: "OrderId", kind: "freeText", value: (r) => r.reference, width: 24 },
  { header: "Description", kind: "freeText", value: (r) => r.description ?? "", width: 30 },
  { header: "Status", kind: "text", value: (r) => r.status, width: 11 },
  { header: "Currency", kind: "text", value: (r) => r.currency, width: 9 },
  { header: "Amount", kind: "amount", value: (r) => r.amount, width: 13 },
  { header: "Captured", kind: "amount", value: (r) => r.capturedAmount, width: 13 },
  { header: "Refunded", kind: "amount", value: (r) => r.refundedAmount, width: 13 },
  { header: "Cancelled", kind: "amount", value: (r) => r.cancelledAmount, width: 13 },
];

const PAYER_COLUMNS: ExportColumn[] = [
  { header: "PayerName", kind: "freeText", value: (r) => r.payerName ?? "", width: 24 },
  { header: "PayerPhone", kind: "freeText", value: (r) => r.payerPhone ?? "", width: 14 },
  { header: "PayerEmail", kind: "freeText", value: (r) => r.payerEmail ?? "", width: 24 },
  { header: "Message", kind: "freeText", value: (r) => r.message ?? "", width: 30 },
];

export function exportColumns(includePayer: boolean): ExportColumn[] {
  return includePayer ? [...BASE_COLUMNS, ...PAYER_COLUMNS] : BASE_COLUMNS;
}

/** The cursor's query: the list's rows (`condition` holds access and filter) in the list's order. */
export function exportQuery(condition: Condition, includePayer: boolean): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const where = toSql(condition, "t", TRANSACTION_COLUMN_TYPES, params);
  const payer = includePayer ? `, t."payerName", t."payerPhone", t."payerEmail", t."message"` : "";
  const text = `SELECT t.id::text AS id, to_char(t."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created, su.name AS "salesUnitName", su.msn,
  t.reference, t.description, t.status::text AS status, t.currency::text AS currency, t.amount, t."capturedAmount", t."refundedAmount", t."cancelledAmount"${payer}
FROM "Transaction" t JOIN "SalesUnit" su ON su.id = t."salesUnitId"
WHERE ${where}
ORDER BY t."createdAt" DESC, t.id DESC`;
  return { text, values: params.values };
}

/** Runs statements on one connection inside one (read-only) transaction: the cursor lives as long as it does. */
export interface CursorSession {
  execute(text: string, values: unknown[]): Promise<unknown>;
  query<R>(text: string): Promise<R[]>;
}


function csvCell(column: ExportColumn, row: ExportRow): string {
  const value = column.value(row);
  if (column.kind === "amount") return formatMinorUnits(value as number);
  return csvField(column.kind === "freeText" ? defuse(String(value)) : String(value));
}

function xlsxCell(column: ExportColumn, row: ExportRow): ExcelJS.CellValue {
  const value = column.value(row);
  if (column.kind === "amount") return (value as number) / 100;
  if (column.kind === "timestamp") return new Date(value as string);
  return column.kind === "freeText" ? defuse(String(value)) : String(value);
}

/**
 * Streams the export to `out` (which it ends) and answers the number of rows. `onProgress` hears the rows written after
 * each batch. Formats: CSV as the reports write it (RFC 4180, CRLF, BOM, amounts in major units); XLSX through exceljs'
 * streaming writer, one "Transactions" sheet (rows are flushed as they are added, not kept).
 */
export async function streamTransactionExport(
  session: CursorSession,
  options: { condition: Condition; includePayer: boolean; format: ExportFormat },
  out: Writable,
  onProgress: (rows: number) => Promise<void> | void = () => undefined,
): Promise<number> {
  const columns = exportColumns(options.includePayer);
  const { text, values } = exportQuery(options.condition, options.includePayer);
  await session.execute(`DECLARE transaction_export NO SCROLL CURSOR FOR ${text}`, values);
  let rows = 0;
  let workbook: ExcelJS.stream.xlsx.WorkbookWriter | null = null;
  let sheet: ExcelJS.Worksheet | null = null;
  if (options.format === "XLSX") {
    // Fast deflate: the zip stream keeps up with the rows instead of buffering them (exceljs does not wait for it).
    workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
    workbook.creator = "Portal Gateway";
    sheet = workbook.addWorksheet("Transactions", { views: [{ state: "frozen", ySplit: 1 }] });
    sheet.columns = columns.map((column) => ({
      header: column.header,
      key: column.header,
      width: column.width,
      style: column.kind === "amount" ? { numFmt: "#,##0.00" } : column.kind === "timestamp" ? { numFmt: "yyyy-mm-dd hh:mm:ss" } : {},
    }));
    sheet.getRow(1).font = { bold: true };
  } else {
    await write(out, `${CSV_BOM}${columns.map((c) => c.header).join(",")}\r\n`);
  }
  for (;;) {
    const batch = await session.query<ExportRow>(`FETCH ${EXPORT_BATCH_SIZE} FROM transaction_export`);
    if (batch.length === 0) break;
    if (sheet) {
      for (const row of batch) sheet.addRow(columns.map((column) => xlsxCell(column, row))).commit();
      // exceljs does not wait for its output: let the zip stream drain before the next batch, or batches pile up.
      await pause(out);
    } else {
      await write(out, batch.map((row) => `${columns.map((column) => csvCell(column, row)).join(",")}\r\n`).join(""));
    }
    rows += batch.length;
    await onProgress(rows);
    if (batch.length < EXPORT_BATCH_SIZE) break;
  }
  await session.execute("CLOSE transaction_export", []);
  if (workbook && sheet) {
    sheet.commit();
    await committed(workbook, out);
  } else {
    await end(out);
  }
  return rows;
}

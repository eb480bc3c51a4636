/**
 * CSV as RFC 4180 (comma-separated, CRLF line ends, fields quoted when they contain a comma, quote or line
 * break), amounts in major units with a decimal point like Stripe's and Adyen's exports, UTF-8 with a byte-order
 * mark so Excel reads "æøå" correctly. Spreadsheet users in Nordic locales are better served by the XLSX format.
 */
import type { Writable } from "node:stream";
import { formatMinorUnits } from "../domain/money";
import { reportColumns, reportSource, type ReportSource, type SettlementReport } from "./settlement-report";
import { collect, end, write } from "./sink";

/** Excel reads a UTF-8 file as such only with it. */
export const CSV_BOM = "\uFEFF";

/**
 * Text a spreadsheet would run as a formula (OWASP "CSV injection") gets a leading apostrophe: payer names and
 * messages come from the public, e.g. `=HYPERLINK(…)`. Leading spaces do not hide a formula from Excel.
 */
export function defuse(value: string): string {
  return /^\s*[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A field quoted as RFC 4180 asks when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes the report to `out` (and ends it), a page of lines at a time; answers the lines written. */
export async function writeCsv(source: ReportSource, out: Writable): Promise<number> {
  const columns = reportColumns(source.includePersonalData);
  await write(out, `${CSV_BOM}${columns.map((c) => csvField(c.header)).join(",")}\r\n`);
  let written = 0;
  for await (const { pages } of source.groups()) {
    for await (const lines of pages) {
      const text = lines.map((line) =>
        columns
          .map((column) => {
            const value = column.value(line);
            if (column.kind === "amount") return formatMinorUnits(value as number);
            return csvField(column.kind === "freeText" ? defuse(String(value)) : String(value));
          })
          .join(","),
      );
      if (text.length > 0) await write(out, `${text.join("\r\n")}\r\n`);
      written += lines.length;
    }
  }
  await end(out);
  return written;
}

export function renderCsv(report: SettlementReport): Promise<Buffer> {
  return collect((out) => writeCsv(reportSource(report), out));
}

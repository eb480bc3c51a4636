/**
 * CSV as RFC 4180 (comma-separated, CRLF line ends, fields quoted when they contain a comma, quote or line
 * break), amounts in major units with a decimal point like Stripe's and Adyen's exports, UTF-8 with a byte-order
 * mark so Excel reads "æøå" correctly. Spreadsheet users in Nordic locales are better served by the XLSX format.
 */
import { formatMinorUnits } from "../domain/money";
import { reportColumns, type SettlementReport } from "./settlement-report";

const BOM = "\uFEFF";

/**
 * Text a spreadsheet would run as a formula (OWASP "CSV injection") gets a leading apostrophe: payer names and
 * messages come from the public, e.g. `=HYPERLINK(…)`. Leading spaces do not hide a formula from Excel.
 */
export function defuse(value: string): string {
  return /^\s*[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsv(report: SettlementReport): Buffer {
  const columns = reportColumns(report.includePersonalData);
  const rows = [columns.map((c) => c.header)];
  for (const line of report.lines) {
    rows.push(
      columns.map((column) => {
        const value = column.value(line);
        if (column.kind === "amount") return formatMinorUnits(value as number);
        return column.kind === "freeText" ? defuse(String(value)) : String(value);
      }),
    );
  }
  return Buffer.from(`${BOM}${rows.map((row) => row.map(field).join(",")).join("\r\n")}\r\n`, "utf8");
}

/**
 * XML: one <Settlement> per settlement with its totals and its <Line>s, element names as the CSV headers.
 * Written by hand because the document is flat and only needs escaping; amounts are decimals in major units.
 */
import type { Writable } from "node:stream";
import { formatMinorUnits } from "../domain/money";
import { reportColumns, reportSource, reportTotals, type ReportSource, type ReportTotals, type SettlementReport } from "./settlement-report";
import { collect, end, write } from "./sink";

/** Characters XML 1.0 cannot carry at all (most control characters, lone surrogates, U+FFFE/U+FFFF) are dropped. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(value: string): string {
  return value
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

/** Writes the report to `out` (and ends it), a page of lines at a time; answers the lines written. */
export async function writeXml(source: ReportSource, out: Writable): Promise<number> {
  const columns = reportColumns(source.includePersonalData);
  const period = source.period ? ` periodFrom="${source.period.from}" periodTo="${source.period.to}"` : "";
  await write(
    out,
    `<?xml version="1.0" encoding="UTF-8"?>\n<SettlementReport merchant="${escapeXml(source.merchantName)}" generatedAt="${source.generatedAt.toISOString()}" includePersonalData="${source.includePersonalData}"${period}>\n`,
  );
  let written = 0;
  for await (const { settlement, pages } of source.groups()) {
    const opening = [
      "  <Settlement>",
      `    ${element("SettlementId", settlement.id)}${element("SalesUnitName", settlement.salesUnitName)}${element("MSN", settlement.msn)}`,
      `    ${element("PeriodStart", settlement.periodStart)}${element("PeriodEnd", settlement.periodEnd)}${element("SettlementDate", settlement.payoutDate)}`,
      `    ${element("Currency", settlement.currency)}${element("Gross", formatMinorUnits(settlement.grossAmount))}${element("Fee", formatMinorUnits(settlement.feeAmount))}${element("Refund", formatMinorUnits(settlement.refundedAmount))}${element("Net", formatMinorUnits(settlement.netAmount))}`,
      "    <Lines>",
    ];
    await write(out, `${opening.join("\n")}\n`);
    for await (const lines of pages) {
      const text = lines.map((line) => {
        const cells = columns.map((c) => element(c.header, c.kind === "amount" ? formatMinorUnits(c.value(line) as number) : String(c.value(line))));
        return `      <Line>${cells.join("")}</Line>\n`;
      });
      await write(out, text.join(""));
      written += lines.length;
    }
    await write(out, "    </Lines>\n  </Settlement>\n");
  }
  // Sums of the settlements above (64-bit, exact): per sales unit and currency, then per currency.
  const totals = reportTotals(source);
  const sums = (t: ReportTotals) =>
    `${element("Currency", t.currency)}${element("Settlements", String(t.settlements))}${element("Gross", formatMinorUnits(t.gross))}${element("Fee", formatMinorUnits(t.fee))}${element("Refund", formatMinorUnits(t.refund))}${element("Net", formatMinorUnits(t.net))}`;
  const closing = ["  <Totals>"];
  for (const t of totals.bySalesUnit) closing.push(`    <SalesUnitTotal>${element("MSN", t.msn ?? "")}${element("SalesUnitName", t.salesUnitName ?? "")}${sums(t)}</SalesUnitTotal>`);
  for (const t of totals.grand) closing.push(`    <GrandTotal>${sums(t)}</GrandTotal>`);
  closing.push("  </Totals>", "</SettlementReport>", "");
  await write(out, closing.join("\n"));
  await end(out);
  return written;
}

export function renderXml(report: SettlementReport): Promise<Buffer> {
  return collect((out) => writeXml(reportSource(report), out));
}

/**
 * XML: one <Settlement> per settlement with its totals and its <Line>s, element names as the CSV headers.
 * Written by hand because the document is flat and only needs escaping; amounts are decimals in major units.
 */
import { formatMinorUnits } from "../domain/money";
import { linesBySettlement, reportColumns, reportTotals, type ReportTotals, type SettlementReport } from "./settlement-report";

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

export function renderXml(report: SettlementReport): Buffer {
  const columns = reportColumns(report.includePersonalData);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<SettlementReport merchant="${escapeXml(report.merchantName)}" generatedAt="${report.generatedAt.toISOString()}" includePersonalData="${report.includePersonalData}"${report.period ? ` periodFrom="${report.period.from}" periodTo="${report.period.to}"` : ""}>`,
  ];
  const groups = linesBySettlement(report);
  for (const settlement of report.settlements) {
    out.push(
      "  <Settlement>",
      `    ${element("SettlementId", settlement.id)}${element("SalesUnitName", settlement.salesUnitName)}${element("MSN", settlement.msn)}`,
      `    ${element("PeriodStart", settlement.periodStart)}${element("PeriodEnd", settlement.periodEnd)}${element("SettlementDate", settlement.payoutDate)}`,
      `    ${element("Currency", settlement.currency)}${element("Gross", formatMinorUnits(settlement.grossAmount))}${element("Fee", formatMinorUnits(settlement.feeAmount))}${element("Refund", formatMinorUnits(settlement.refundedAmount))}${element("Net", formatMinorUnits(settlement.netAmount))}`,
      "    <Lines>",
    );
    for (const line of groups.get(settlement.id)!) {
      const cells = columns.map((c) => element(c.header, c.kind === "amount" ? formatMinorUnits(c.value(line) as number) : String(c.value(line))));
      out.push(`      <Line>${cells.join("")}</Line>`);
    }
    out.push("    </Lines>", "  </Settlement>");
  }
  // Sums of the settlements above (64-bit, exact): per sales unit and currency, then per currency.
  const totals = reportTotals(report);
  const sums = (t: ReportTotals) =>
    `${element("Currency", t.currency)}${element("Settlements", String(t.settlements))}${element("Gross", formatMinorUnits(t.gross))}${element("Fee", formatMinorUnits(t.fee))}${element("Refund", formatMinorUnits(t.refund))}${element("Net", formatMinorUnits(t.net))}`;
  out.push("  <Totals>");
  for (const t of totals.bySalesUnit) out.push(`    <SalesUnitTotal>${element("MSN", t.msn ?? "")}${element("SalesUnitName", t.salesUnitName ?? "")}${sums(t)}</SalesUnitTotal>`);
  for (const t of totals.grand) out.push(`    <GrandTotal>${sums(t)}</GrandTotal>`);
  out.push("  </Totals>");
  out.push("</SettlementReport>", "");
  return Buffer.from(out.join("\n"), "utf8");
}

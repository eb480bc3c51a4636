/** One entry point for the four report formats: bytes, content type and file extension. */
import type { ReportFormat } from "../generated/prisma/enums";
import { renderCsv } from "./csv";
import { renderPdf } from "./pdf";
import type { SettlementReport } from "./settlement-report";
import { renderXlsx } from "./xlsx";
import { renderXml } from "./xml";

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  CSV: "text/csv; charset=utf-8; header=present",
  XML: "application/xml; charset=utf-8",
  XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  PDF: "application/pdf",
};

export async function renderReport(report: SettlementReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case "CSV":
      return renderCsv(report);
    case "XML":
      return renderXml(report);
    case "XLSX":
      return renderXlsx(report);
    case "PDF":
      return renderPdf(report);
  }
}

/** "settlement-751312-2026-01-05_2026-01-11-personal.xlsx": says what it is when it lands in Downloads. */
export function reportFileName(parts: string[], format: ReportFormat, includePersonalData: boolean): string {
  const base = [...parts, ...(includePersonalData ? ["personal"] : [])].join("-");
  return `${base.replace(/[^A-Za-z0-9._-]+/g, "_")}.${format.toLowerCase()}`;
}

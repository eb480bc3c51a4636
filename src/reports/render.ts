/** One entry point for the four report formats: bytes or a stream, content type and file extension. */
import type { Writable } from "node:stream";
import type { ReportFormat } from "../generated/prisma/enums";
import { renderCsv, writeCsv } from "./csv";
import { renderPdf, writePdf } from "./pdf";
import type { ReportSource, SettlementReport } from "./settlement-report";
import { renderXlsx, writeXlsx } from "./xlsx";
import { renderXml, writeXml } from "./xml";

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  CSV: "text/csv; charset=utf-8; header=present",
  XML: "application/xml; charset=utf-8",
  XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  PDF: "application/pdf",
};

/** A report held whole in memory, as bytes: the reference `writeReport`'s streamed output is checked against. */
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

/** Writes the report to `out` (and ends it) as its lines are read; answers the lines written. */
export function writeReport(source: ReportSource, format: ReportFormat, out: Writable): Promise<number> {
  switch (format) {
    case "CSV":
      return writeCsv(source, out);
    case "XML":
      return writeXml(source, out);
    case "XLSX":
      return writeXlsx(source, out);
    case "PDF":
      return writePdf(source, out);
  }
}

/** "settlement-751312-2026-01-05_2026-01-11-personal.xlsx": says what it is when it lands in Downloads. */
export function reportFileName(parts: string[], format: ReportFormat, includePersonalData: boolean): string {
  const base = [...parts, ...(includePersonalData ? ["personal"] : [])].join("-");
  return `${base.replace(/[^A-Za-z0-9._-]+/g, "_")}.${format.toLowerCase()}`;
}

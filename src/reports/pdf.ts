/**
 * PDF with pdfkit, for people: per settlement a heading, its totals, and a table of its lines (the ids that only
 * machines need stay in CSV, XML and XLSX). A4 landscape, the built-in Helvetica, page numbers in the footer.
 */
import type { Writable } from "node:stream";
import PDFDocument from "pdfkit";
import { formatAmount } from "../domain/money";
import { reportSource, reportTotals, type ReportLine, type ReportSource, type SettlementReport, type SettlementSummary } from "./settlement-report";
import { collect, flushed, pause } from "./sink";

const MARGIN = 36;
const ROW = 14;
const FONT_SIZE = 8;

/** Rows drawn between pauses for the output to drain and other work to run: about a hundredth of a second's worth. */
const ROWS_PER_SLICE = 100;

interface PdfColumn {
  header: string;
  width: number;
  align: "left" | "right";
  value(line: ReportLine): string;
}

const money = (amount: number, line: ReportLine) => formatAmount(amount, line.currency);

const COLUMNS: PdfColumn[] = [
  { header: "Sales date", width: 62, align: "left", value: (l) => l.salesDate },
  { header: "Order id", width: 150, align: "left", value: (l) => l.orderId },
  { header: "Gross", width: 80, align: "right", value: (l) => money(l.grossAmount, l) },
  { header: "Fee", width: 70, align: "right", value: (l) => money(l.feeAmount, l) },
  { header: "Refund", width: 80, align: "right", value: (l) => money(l.refundAmount, l) },
  { header: "Net", width: 80, align: "right", value: (l) => money(l.netAmount, l) },
];

const PERSONAL_COLUMNS: PdfColumn[] = [
  { header: "Payer", width: 120, align: "left", value: (l) => `${l.payer?.firstName ?? ""} ${l.payer?.lastName ?? ""}`.trim() },
  { header: "Message", width: 128, align: "left", value: (l) => l.payer?.message ?? "" },
];

/**
 * The built-in fonts only have the WinAnsi characters, which cover the Nordic letters. Intl's minus sign and
 * narrow spaces get their WinAnsi look-alikes; anything else outside the set becomes "?".
 */
function winAnsi(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\u2212/g, "-")
    .replace(/[\u2009\u202f]/g, "\u00a0")
    .replace(/[^\u0020-\u007e\u00a0-\u00ff€–—‘’‚“”„…•™ŠšŽžŒœŸ]/g, "?");
}

/**
 * Writes the report to `out` (and ends it), page by page as the settlements' lines come: pages are numbered as
 * they are made ("Page 3"), since the count of a streamed document is not known until its end. Answers the lines
 * written.
 */
export async function writePdf(report: ReportSource, out: Writable): Promise<number> {
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: MARGIN,
    info: { Title: `Settlement report ${report.merchantName}`, Creator: "Portal Gateway", CreationDate: report.generatedAt },
  });
  const done = flushed(out);
  // Awaited at the end; a failing output (a full disk, a reader gone) must not be an unhandled rejection meanwhile.
  done.catch(() => undefined);
  doc.pipe(out);
  let pages = 0;
  // pdfkit keeps the current font in these two fields; the footer's must not stay on for the page's text.
  const fontState = doc as unknown as { _font: unknown; _fontSize: number };
  const footer = () => {
    pages += 1;
    const { x, y } = doc;
    const { _font: font, _fontSize: fontSize } = fontState;
    // Writing inside the bottom margin would otherwise start a new page.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font("Helvetica").fontSize(7).text(`Page ${pages}`, MARGIN, doc.page.height - MARGIN / 2 - 4, { width: doc.page.width - 2 * MARGIN, align: "right", lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
    doc.x = x;
    doc.y = y;
    fontState._font = font;
    fontState._fontSize = fontSize;
  };
  footer();
  doc.on("pageAdded", footer);

  const columns = report.includePersonalData ? [...COLUMNS, ...PERSONAL_COLUMNS] : COLUMNS;
  const bottom = () => doc.page.height - MARGIN - ROW;

  /** One line of text cut to `width`, so a long message cannot push the table out of shape. */
  const cell = (text: string, x: number, y: number, width: number, align: "left" | "right") => {
    let fitted = winAnsi(text);
    if (doc.widthOfString(fitted) > width - 4) {
      while (fitted.length > 0 && doc.widthOfString(`${fitted}…`) > width - 4) fitted = fitted.slice(0, -1);
      fitted = `${fitted}…`;
    }
    doc.text(fitted, x, y, { width: width - 4, align, lineBreak: false });
  };

  const row = (values: string[], y: number) => {
    let x = MARGIN;
    columns.forEach((column, i) => {
      cell(values[i] ?? "", x, y, column.width, column.align);
      x += column.width;
    });
  };

  const tableHeader = () => {
    const top = doc.y;
    doc.font("Helvetica-Bold").fontSize(FONT_SIZE);
    row(columns.map((c) => c.header), top);
    const width = columns.reduce((w, c) => w + c.width, 0);
    doc.moveTo(MARGIN, top + ROW - 3).lineTo(MARGIN + width, top + ROW - 3).lineWidth(0.5).stroke();
    doc.font("Helvetica").fontSize(FONT_SIZE);
    doc.y = top + ROW;
  };

  const settlementHeading = (s: SettlementSummary) => {
    if (doc.y > bottom() - 5 * ROW) doc.addPage();
    doc.font("Helvetica-Bold").fontSize(11).text(winAnsi(`${s.salesUnitName} · MSN ${s.msn}`), MARGIN, doc.y);
    doc.font("Helvetica").fontSize(9);
    doc.text(winAnsi(`Period ${s.periodStart} – ${s.periodEnd} · paid out ${s.payoutDate} · settlement ${s.id}`));
    doc.text(
      winAnsi(
        `Gross ${formatAmount(s.grossAmount, s.currency)} · fees ${formatAmount(s.feeAmount, s.currency)} · refunds ${formatAmount(s.refundedAmount, s.currency)} · net ${formatAmount(s.netAmount, s.currency)}`,
      ),
    );
    doc.moveDown(0.5);
  };

  doc.font("Helvetica-Bold").fontSize(16).text(winAnsi(`Settlement report · ${report.merchantName}`));
  doc.font("Helvetica").fontSize(9).text(
    winAnsi(`Generated ${report.generatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC${report.includePersonalData ? " · includes payer names and messages" : ""}`),
  );
  if (report.period) doc.text(winAnsi(`Payouts ${report.period.from} – ${report.period.to}`));
  doc.moveDown();
  if (report.settlements.length === 0) doc.fontSize(11).text("No settlements in this period.");

  let written = 0;
  for await (const { settlement, pages } of report.groups()) {
    settlementHeading(settlement);
    tableHeader();
    for await (const lines of pages) {
      for (const line of lines) {
        if (doc.y > bottom()) {
          doc.addPage();
          tableHeader();
        }
        const top = doc.y;
        row(columns.map((c) => c.value(line)), top);
        doc.y = top + ROW;
        if (++written % ROWS_PER_SLICE === 0) await pause(out);
      }
    }
    doc.x = MARGIN;
    doc.moveDown();
  }

  // Totals per sales unit and the grand totals, one line each, after the settlements.
  if (report.settlements.length > 0) {
    const totals = reportTotals(report);
    if (doc.y > bottom() - 4 * ROW) doc.addPage();
    doc.font("Helvetica-Bold").fontSize(11).text("Totals", MARGIN, doc.y);
    doc.font("Helvetica").fontSize(9);
    const sums = (t: (typeof totals.grand)[number]) =>
      `gross ${formatAmount(t.gross, t.currency)} · fees ${formatAmount(t.fee, t.currency)} · refunds ${formatAmount(t.refund, t.currency)} · net ${formatAmount(t.net, t.currency)}`;
    for (const t of totals.bySalesUnit) {
      if (doc.y > bottom()) doc.addPage();
      doc.text(winAnsi(`${t.salesUnitName} · MSN ${t.msn} · ${t.settlements} settlements · ${sums(t)}`), MARGIN, doc.y);
    }
    doc.font("Helvetica-Bold");
    for (const t of totals.grand) {
      if (doc.y > bottom()) doc.addPage();
      doc.text(winAnsi(`Grand total ${t.currency} · ${t.settlements} settlements · ${sums(t)}`), MARGIN, doc.y);
    }
  }

  doc.end();
  await done;
  return written;
}

export function renderPdf(report: SettlementReport): Promise<Buffer> {
  return collect((out) => writePdf(reportSource(report), out));
}

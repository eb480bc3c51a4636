/** Report building and rendering as pure functions: fee shares, amounts, escaping, and each format's shape. */
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { renderCsv } from "../../src/reports/csv";
import { renderPdf } from "../../src/reports/pdf";
import { writeReport } from "../../src/reports/render";
import { allocate, buildSettlementReport, reportSource, reportTotals, type OperationRow, type SettlementRow } from "../../src/reports/settlement-report";
import { renderXlsx } from "../../src/reports/xlsx";
import { escapeXml, renderXml } from "../../src/reports/xml";
import { duePeriods, MAX_CATCH_UP_PERIODS } from "../../src/services/report-subscriptions";
import { parseCsv, pdfText } from "./support";

const settlement: SettlementRow = {
  id: "0b6f0a3e-1111-4000-8000-000000000001",
  periodStart: new Date("2026-03-02T00:00:00Z"),
  periodEnd: new Date("2026-03-02T00:00:00Z"),
  payoutDate: new Date("2026-03-04T00:00:00Z"),
  currency: "NOK",
  grossAmount: 30_000,
  refundedAmount: 2_500,
  feeAmount: 451,
  netAmount: 27_049,
  salesUnit: { name: "Fjordkaffe, Bryggen", msn: "751312" },
};

let operationIds = 0;
const op = (type: "CAPTURE" | "REFUND", amount: number, extra: Partial<OperationRow["transaction"]> = {}): OperationRow => ({
  id: `0b6f0a3e-3333-4000-8000-${String(++operationIds).padStart(12, "0")}`,
  type,
  amount,
  createdAt: new Date("2026-03-02T10:00:00Z"),
  settlementId: settlement.id,
  transaction: { id: "0b6f0a3e-2222-4000-8000-000000000002", reference: "order-2026-0001", payerName: "Kari Mette Nordmann", message: 'Takk for "kaffen", <3 & hilsen', ...extra },
});

const operations = [op("CAPTURE", 10_000), op("CAPTURE", 20_000, { payerName: "=HYPERLINK(\"http://evil\")", message: null }), op("REFUND", 2_500)];
const build = (includePersonalData: boolean) =>
  buildSettlementReport([settlement], operations, { merchantName: "Fjordkaffe AS", generatedAt: new Date("2026-03-05T08:00:00Z"), includePersonalData });

describe("allocate", () => {
  it("splits by weight and always adds up to the total", () => {
    expect(allocate(451, [10_000, 20_000, 0])).toEqual([150, 301, 0]);
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(7, [0, 0])).toEqual([7, 0]);
    expect(allocate(0, [5, 5])).toEqual([0, 0]);
    expect(allocate(5, [])).toEqual([]);
  });
});

describe("buildSettlementReport", () => {
  it("makes one line per capture and refund whose columns add up to the settlement", () => {
    const report = build(false);
    const sum = (pick: (l: (typeof report.lines)[number]) => number) => report.lines.reduce((total, line) => total + pick(line), 0);
    expect(report.lines).toHaveLength(3);
    expect(sum((l) => l.grossAmount)).toBe(settlement.grossAmount);
    expect(sum((l) => l.refundAmount)).toBe(settlement.refundedAmount);
    expect(sum((l) => l.feeAmount)).toBe(settlement.feeAmount);
    expect(sum((l) => l.netAmount)).toBe(settlement.netAmount);
    expect(report.lines[0]).toMatchObject({ salesDate: "2026-03-02", settlementDate: "2026-03-04", orderId: "order-2026-0001", payer: null });
  });

  it("splits the payer's name into first and last only in the personal variant", () => {
    expect(build(true).lines[0]!.payer).toEqual({ firstName: "Kari Mette", lastName: "Nordmann", message: 'Takk for "kaffen", <3 & hilsen' });
    expect(build(false).lines.every((line) => line.payer === null)).toBe(true);
  });
});

describe("renderCsv", () => {
  it("is UTF-8 with a byte-order mark, CRLF records, quoted where needed, without payer columns in the plain variant", async () => {
    const text = (await renderCsv(build(false))).toString("utf8");
    expect(text.startsWith("\uFEFFSalesDate,SalesUnitName,MSN,TransactionId,SettlementId,OrderId,SettlementDate,Gross,Currency,Fee,Refund,Net\r\n")).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[1]).toEqual(["2026-03-02", "Fjordkaffe, Bryggen", "751312", expect.any(String), expect.any(String), "order-2026-0001", "2026-03-04", "100.00", "NOK", "1.50", "0.00", "98.50"]);
    expect(text).not.toContain("Nordmann");
  });

  it("carries payer data in the personal variant, defusing formulas", async () => {
    const rows = parseCsv((await renderCsv(build(true))).toString("utf8").slice(1));
    expect(rows[0]!.slice(-3)).toEqual(["PayerFirstName", "PayerLastName", "Message"]);
    expect(rows[1]!.slice(-3)).toEqual(["Kari Mette", "Nordmann", 'Takk for "kaffen", <3 & hilsen']);
    expect(rows[2]![12]).toBe("'=HYPERLINK(\"http://evil\")");
  });
});

describe("renderXml", () => {
  it("escapes markup and drops characters XML cannot carry", () => {
    expect(escapeXml(`a<b>&"c'\u0001d`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;d");
  });

  it("writes one Settlement with totals and its Lines", async () => {
    const xml = (await renderXml(build(true))).toString("utf8");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<SettlementReport merchant="Fjordkaffe AS"')).toBe(true);
    expect(xml).toContain("<Gross>300.00</Gross><Fee>4.51</Fee><Refund>25.00</Refund><Net>270.49</Net>");
    expect(xml.match(/<Line>/g)).toHaveLength(3);
    expect(xml).toContain("<Message>Takk for &quot;kaffen&quot;, &lt;3 &amp; hilsen</Message>");
  });
});

describe("renderXlsx", () => {
  it("has a Lines sheet with numbers and dates, and a Settlements sheet", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await renderXlsx(build(false))).buffer);
    const lines = workbook.getWorksheet("Lines")!;
    expect(lines.getRow(1).values).toEqual([undefined, "SalesDate", "SalesUnitName", "MSN", "TransactionId", "SettlementId", "OrderId", "SettlementDate", "Gross", "Currency", "Fee", "Refund", "Net"]);
    expect(lines.getCell("H2").value).toBe(100);
    expect(lines.getCell("A2").value).toEqual(new Date("2026-03-02T00:00:00Z"));
    expect(workbook.getWorksheet("Settlements")!.getCell("K2").value).toBe(270.49);
  });

  it("defuses payer text a spreadsheet would run as a formula", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await renderXlsx(build(true))).buffer);
    const lines = workbook.getWorksheet("Lines")!;
    expect(lines.getCell("M3").value).toBe("'=HYPERLINK(\"http://evil\")");
    expect(lines.getCell("M2").value).toBe("Kari Mette");
  });
});

describe("renderPdf", () => {
  it("renders a PDF, also for a report without settlements and with characters outside the built-in fonts", async () => {
    const pdf = await renderPdf(build(true));
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const empty = buildSettlementReport([], [], { merchantName: "Sauna Oy 🔥", generatedAt: new Date(), includePersonalData: false });
    expect((await renderPdf(empty)).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("pages a long report", async () => {
    const many = Array.from({ length: 120 }, (_, i) => op("CAPTURE", 250, { reference: `order-${String(i).padStart(8, "0")}` }));
    const big = { ...settlement, grossAmount: 30_000, refundedAmount: 0, feeAmount: 450, netAmount: 29_550 };
    const pdf = await renderPdf(buildSettlementReport([big], many, { merchantName: "Fjordkaffe AS", generatedAt: new Date(), includePersonalData: false }));
    expect(pdf.toString("latin1").match(/\/Type \/Page\b/g)!.length).toBeGreaterThan(1);
  });
});

describe("a writer whose reader goes away", () => {
  // A report of 30 settlements of 100 lines: far more than a stream buffers, in every format.
  const many = Array.from({ length: 30 }, (_, i) => ({ ...settlement, id: `0b6f0a3e-1111-4000-8000-${String(i).padStart(12, "0")}` }));
  const large = buildSettlementReport(
    many,
    many.flatMap((s) => Array.from({ length: 100 }, (_, i) => ({ ...op(i % 7 === 0 ? "REFUND" : "CAPTURE", 100 + i), settlementId: s.id }))),
    { merchantName: "Fjordkaffe AS", generatedAt: new Date("2026-03-05T08:00:00Z"), includePersonalData: true },
  );

  it.each(["CSV", "XML", "XLSX", "PDF"] as const)("stops with an error in %s, whether the reader leaves at once or midway", async (format) => {
    for (const report of [build(true), large]) {
      const atOnce = new PassThrough();
      const writing = writeReport(reportSource(report), format, atOnce);
      atOnce.destroy();
      await expect(writing).rejects.toThrow();

      const midway = new PassThrough();
      midway.once("data", () => midway.destroy());
      await expect(writeReport(reportSource(report), format, midway)).rejects.toThrow();
    }
  });
});

describe("duePeriods", () => {
  const at = (iso: string) => new Date(iso);
  const day = (d: string) => ({ periodStart: d, periodEnd: d });
  const sentAt = (iso: string | null, lastPeriodEnd: string | null = null) => ({ lastSentAt: iso ? at(iso) : null, lastPeriodEnd });

  it("is yesterday for a daily subscription never sent, and nothing once sent today (Oslo time)", () => {
    expect(duePeriods("DAILY", sentAt(null), at("2026-03-05T12:00:00Z"))).toEqual([day("2026-03-04")]);
    expect(duePeriods("DAILY", sentAt("2026-03-04T23:30:00Z"), at("2026-03-05T12:00:00Z"))).toEqual([]);
    expect(duePeriods("DAILY", sentAt("2026-03-04T22:30:00Z"), at("2026-03-05T12:00:00Z"))).toEqual([day("2026-03-04")]);
    expect(duePeriods("DAILY", sentAt("2026-03-05T06:00:00Z", "2026-03-04"), at("2026-03-05T12:00:00Z"))).toEqual([]);
  });

  it("is every day missed since the last one sent, oldest first, at most the latest seven", () => {
    expect(duePeriods("DAILY", sentAt("2026-03-02T06:00:00Z", "2026-03-01"), at("2026-03-05T12:00:00Z"))).toEqual([day("2026-03-02"), day("2026-03-03"), day("2026-03-04")]);
    // Sent before the period was kept: the day before the one it was sent on.
    expect(duePeriods("DAILY", sentAt("2026-03-02T06:00:00Z"), at("2026-03-05T12:00:00Z"))).toEqual([day("2026-03-02"), day("2026-03-03"), day("2026-03-04")]);
    const due = duePeriods("DAILY", sentAt("2026-01-02T06:00:00Z", "2026-01-01"), at("2026-03-05T12:00:00Z"));
    expect(due).toHaveLength(MAX_CATCH_UP_PERIODS);
    expect(due[0]).toEqual(day("2026-02-26"));
    expect(due.at(-1)).toEqual(day("2026-03-04"));
  });

  it("is last Monday–Sunday for a weekly one, sent once per week, and each week missed", () => {
    expect(duePeriods("WEEKLY", sentAt("2026-02-23T06:00:00Z"), at("2026-03-04T12:00:00Z"))).toEqual([{ periodStart: "2026-02-23", periodEnd: "2026-03-01" }]);
    expect(duePeriods("WEEKLY", sentAt("2026-03-02T06:00:00Z"), at("2026-03-04T12:00:00Z"))).toEqual([]);
    expect(duePeriods("WEEKLY", sentAt("2026-02-17T06:00:00Z", "2026-02-15"), at("2026-03-04T12:00:00Z"))).toEqual([
      { periodStart: "2026-02-16", periodEnd: "2026-02-22" },
      { periodStart: "2026-02-23", periodEnd: "2026-03-01" },
    ]);
  });

  it("is last month for a monthly one", () => {
    expect(duePeriods("MONTHLY", sentAt(null), at("2026-03-01T00:30:00Z"))).toEqual([{ periodStart: "2026-02-01", periodEnd: "2026-02-28" }]);
    expect(duePeriods("MONTHLY", sentAt("2026-03-01T00:30:00Z"), at("2026-03-31T12:00:00Z"))).toEqual([]);
  });
});

describe("report totals", () => {
  const big = (id: string, msn: string, gross: number): SettlementRow => ({
    ...settlement,
    id,
    grossAmount: gross,
    refundedAmount: 0,
    feeAmount: 1,
    netAmount: gross - 1,
    salesUnit: { name: `Unit ${msn}`, msn },
  });
  const report = buildSettlementReport(
    [big("0b6f0a3e-1111-4000-8000-0000000000a1", "100001", 2_000_000_000), big("0b6f0a3e-1111-4000-8000-0000000000a2", "100002", 2_000_000_000)],
    [],
    { merchantName: "Fjordkaffe AS", generatedAt: new Date("2026-03-05T08:00:00Z"), includePersonalData: false, period: { from: "2026-01-01", to: "2026-12-31" } },
  );

  it("adds settlements per sales unit and per currency in 64 bits, past 2^31", () => {
    const totals = reportTotals(report);
    expect(totals.bySalesUnit.map((t) => [t.msn, t.gross])).toEqual([
      ["100001", 2_000_000_000n],
      ["100002", 2_000_000_000n],
    ]);
    expect(totals.grand).toEqual([{ msn: null, salesUnitName: null, currency: "NOK", settlements: 2, gross: 4_000_000_000n, fee: 2n, refund: 0n, net: 3_999_999_998n }]);
  });

  it("writes the period and the totals into XML, XLSX and PDF", async () => {
    const xml = (await renderXml(report)).toString("utf8");
    expect(xml).toContain('periodFrom="2026-01-01" periodTo="2026-12-31"');
    expect(xml).toContain("<GrandTotal><Currency>NOK</Currency><Settlements>2</Settlements><Gross>40000000.00</Gross><Fee>0.02</Fee><Refund>0.00</Refund><Net>39999999.98</Net></GrandTotal>");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    const totals = workbook.getWorksheet("Totals")!;
    const grand = totals.getRow(4).values as unknown[];
    // The grand total has no MSN: an empty cell.
    expect(grand[1] ?? "").toBe("");
    expect(grand.slice(2)).toEqual(["Total", "NOK", 2, 40_000_000, 0.02, 0, 39_999_999.98]);
    expect(pdfText(await renderPdf(report))).toContain("Grand total NOK · 2 settlements · gross 40\u00a0000\u00a0000,00\u00a0NOK");
  });
});

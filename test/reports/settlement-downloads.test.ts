/** GET /reports/settlements/<id>.<format>: formats, totals, the personal-data variant and who may download. */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { encodeGlobalID } from "@pothos/plugin-relay";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { allocate, LINES_PER_READ } from "../../src/reports/settlement-report";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { insertLargeSettlement, parseCsvRecords, watchingLineReads } from "./support";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
let settlement: { id: string; grossAmount: number; refundedAmount: number; feeAmount: number; netAmount: number };
let payerName: string;
let reportUrl: Record<string, string>;

beforeAll(async () => {
  gateway = await startTestGateway();
  for (const key of ["no-admin", "no-sum-tm", "no-assistant-tm", "no-sum-dev", "dk-admin"]) tokens[key] = await gateway.login(key);
  // A Bryggen settlement with a named payer: Bryggen is the unit both TM personas are assigned to.
  const msn = gateway.persona("no-assistant-tm").salesUnits[0]!;
  const row = await gateway.services.db.settlement.findFirstOrThrow({
    where: { salesUnit: { msn }, operations: { some: { transaction: { payerName: { not: null } } } } },
    include: { operations: { where: { transaction: { payerName: { not: null } } }, include: { transaction: true }, take: 1 } },
    orderBy: { periodEnd: "desc" },
  });
  // The seed's settlements are far below 2^53: Numbers keep the sums below exact.
  settlement = { id: row.id, grossAmount: Number(row.grossAmount), refundedAmount: Number(row.refundedAmount), feeAmount: Number(row.feeAmount), netAmount: Number(row.netAmount) };
  payerName = row.operations[0]!.transaction.payerName!;
  const unitId = (await gateway.graphql<{ salesUnit: { id: string } }>(tokens["no-admin"]!, `{ salesUnit(msn: "${msn}") { id } }`)).data!.salesUnit.id;
  const response = await gateway.graphql<{ settlements: { nodes: { id: string; csv: string; xml: string; xlsx: string; pdf: string; personal: string }[] } }>(
    tokens["no-admin"]!,
    `query($unit: ID!) { settlements(salesUnitId: $unit, first: 100) { nodes { id csv: reportUrl(format: CSV) xml: reportUrl(format: XML) xlsx: reportUrl(format: XLSX) pdf: reportUrl(format: PDF) personal: reportUrl(format: CSV, includePersonalData: true) } } }`,
    { unit: unitId },
  );
  reportUrl = response.data!.settlements.nodes.find((node) => node.id === encodeGlobalID("Settlement", row.id))!;
});
afterAll(async () => gateway?.stop());

/** The API hands out absolute URLs from PUBLIC_BASE_URL; the test asks the running gateway for the same path. */
function get(url: string, token: string | null = tokens["no-admin"]!) {
  const { pathname, search } = new URL(url, gateway.url);
  return fetch(`${gateway.url}${pathname}${search}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

const cents = (value: string | number) => Math.round(Number(value) * 100);
const totals = (rows: Record<string, string | number>[]) => ({
  grossAmount: rows.reduce((sum, r) => sum + cents(r.Gross!), 0),
  refundedAmount: rows.reduce((sum, r) => sum + cents(r.Refund!), 0),
  feeAmount: rows.reduce((sum, r) => sum + cents(r.Fee!), 0),
  netAmount: rows.reduce((sum, r) => sum + cents(r.Net!), 0),
});
const expectedTotals = () => ({ grossAmount: settlement.grossAmount, refundedAmount: settlement.refundedAmount, feeAmount: settlement.feeAmount, netAmount: settlement.netAmount });

/** Every opened element is closed in order, and no bare '&': enough to catch broken escaping. */
function isWellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of xml.replace(/^<\?xml[^>]*\?>/, "").matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0 && !/&(?!(amp|lt|gt|quot|apos);)/.test(xml);
}

describe("settlement report downloads", () => {
  it.each([
    ["csv", "text/csv; charset=utf-8; header=present"],
    ["xml", "application/xml; charset=utf-8"],
    ["xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ["pdf", "application/pdf"],
  ])("serves %s with its content type as an attachment", async (format, contentType) => {
    const response = await get(reportUrl[format]!);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(contentType);
    expect(response.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="settlement-\\d+-[0-9_-]+\\.${format}"`));
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const body = Buffer.from(await response.arrayBuffer());
    const magic = { csv: "\uFEFFSalesDate", xml: "<?xml", xlsx: "PK", pdf: "%PDF-" }[format]!;
    expect(body.toString(format === "csv" ? "utf8" : "latin1").startsWith(magic)).toBe(true);
  });

  it("has CSV lines that add up to the settlement", async () => {
    const rows = parseCsvRecords((await (await get(reportUrl.csv!)).text()).replace(/^\uFEFF/, ""));
    expect(rows.length).toBeGreaterThan(0);
    expect(totals(rows)).toEqual(expectedTotals());
    expect(new Set(rows.map((r) => r.SettlementId))).toEqual(new Set([encodeGlobalID("Settlement", settlement.id)]));
  });

  it("has XLSX lines that add up to the settlement, and the totals on the Settlements sheet", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await (await get(reportUrl.xlsx!)).arrayBuffer());
    const sheet = workbook.getWorksheet("Lines")!;
    const header = (sheet.getRow(1).values as string[]).slice(1);
    const rows: Record<string, number>[] = [];
    sheet.eachRow((row, number) => {
      if (number > 1) rows.push(Object.fromEntries(header.map((name, i) => [name, row.getCell(i + 1).value as number])));
    });
    expect(totals(rows)).toEqual(expectedTotals());
    expect(cents(workbook.getWorksheet("Settlements")!.getCell("K2").value as number)).toBe(settlement.netAmount);
  });

  it("has well-formed XML with the settlement's totals", async () => {
    const xml = await (await get(reportUrl.xml!)).text();
    expect(isWellFormed(xml)).toBe(true);
    expect(xml).toContain(`<Net>${(settlement.netAmount / 100).toFixed(2)}</Net>`);
  });

  it("includes payer names and messages only in the personal variant, and audits that download", async () => {
    const plain = [await (await get(reportUrl.csv!)).text(), await (await get(reportUrl.xml!)).text()];
    for (const text of plain) {
      expect(text).not.toContain(payerName);
      expect(text).not.toContain("PayerFirstName");
    }
    const auditBefore = await gateway.services.db.auditEvent.count({ where: { action: "settlementReport.downloadPersonalData" } });
    // A request id the gateway will not take (a space in it): the audit row carries the one the response and the logs do.
    const { pathname, search } = new URL(reportUrl.personal!, gateway.url);
    const response = await fetch(`${gateway.url}${pathname}${search}`, { headers: { authorization: `Bearer ${tokens["no-sum-tm"]!}`, "x-request-id": "not usable" } });
    expect(response.status).toBe(200);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).not.toBe("not usable");
    const rows = parseCsvRecords((await response.text()).replace(/^\uFEFF/, ""));
    const lastName = payerName.trim().split(/\s+/).pop()!;
    expect(rows.some((r) => r.PayerLastName === lastName && payerName.startsWith(r.PayerFirstName!))).toBe(true);
    expect(Object.keys(rows[0]!)).toContain("Message");
    expect(totals(rows)).toEqual(expectedTotals());
    expect(await gateway.services.db.auditEvent.count({ where: { action: "settlementReport.downloadPersonalData" } })).toBe(auditBefore + 1);
    const audited = await gateway.services.db.auditEvent.findFirstOrThrow({ where: { action: "settlementReport.downloadPersonalData" }, orderBy: { id: "desc" } });
    expect(audited.requestId).toBe(requestId);
  });

  it("gives an Assistant with Transaction Management the plain report but 403 for the personal one", async () => {
    expect((await get(reportUrl.csv!, tokens["no-assistant-tm"]!)).status).toBe(200);
    const personal = await get(reportUrl.personal!, tokens["no-assistant-tm"]!);
    expect(personal.status).toBe(403);
    expect(((await personal.json()) as { error: string }).error).toBe("FORBIDDEN");
  });

  it("answers 404 to another merchant, a manager of other units, and for unknown or malformed ids", async () => {
    expect((await get(reportUrl.csv!, tokens["dk-admin"]!)).status).toBe(404);
    expect((await get(reportUrl.personal!, tokens["dk-admin"]!)).status).toBe(404);
    expect((await get(reportUrl.pdf!, tokens["no-sum-dev"]!)).status).toBe(404);
    expect((await get("/reports/settlements/6b1f7c2e-0000-4000-8000-000000000000.csv")).status).toBe(404);
    expect((await get("/reports/settlements/nope.csv")).status).toBe(404);
    expect((await get(`/reports/settlements/${settlement.id}.docx`)).status).toBe(404);
  });

  it("answers 401 without a token or with a bad one, and 400 for a bad includePersonalData", async () => {
    expect((await get(reportUrl.csv!, null)).status).toBe(401);
    expect((await get(reportUrl.csv!, "eyJhbGciOiJub25lIn0.e30.")).status).toBe(401);
    expect((await get(`${reportUrl.csv}?includePersonalData=yes`)).status).toBe(400);
    expect((await get(`${reportUrl.csv}?includePersonalData=false`)).status).toBe(200);
  });
});

describe("a settlement larger than one read", () => {
  // Three operations share each timestamp, so pages must break ties by id to neither skip nor repeat a line.
  const CAPTURES = 12_000;
  let large: { id: string; lines: number; grossAmount: number; refundedAmount: number; feeAmount: number; netAmount: number };
  const url = (format: string) => `/reports/settlements/${large.id}.${format}`;

  beforeAll(async () => {
    const db = gateway.services.db;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { msn: gateway.persona("no-assistant-tm").salesUnits[0]! }, select: { id: true, merchantId: true } });
    const id = await insertLargeSettlement(db, unit, CAPTURES);
    const row = await db.settlement.findUniqueOrThrow({ where: { id } });
    const lines = await db.transactionOperation.count({ where: { settlementId: id } });
    large = { id, lines, grossAmount: Number(row.grossAmount), refundedAmount: Number(row.refundedAmount), feeAmount: Number(row.feeAmount), netAmount: Number(row.netAmount) };
    expect(lines).toBeGreaterThan(3 * LINES_PER_READ);
  });

  it("has every line once, in order, adding up to the settlement across the pages it is read in", async () => {
    const rows = parseCsvRecords((await (await get(url("csv"))).text()).replace(/^\uFEFF/, ""));
    expect(rows).toHaveLength(large.lines);
    expect(totals(rows)).toEqual({ grossAmount: large.grossAmount, refundedAmount: large.refundedAmount, feeAmount: large.feeAmount, netAmount: large.netAmount });
    const expected = await gateway.services.db.transactionOperation.findMany({
      where: { settlementId: large.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { type: true, amount: true, transactionId: true },
    });
    expect(rows.map((r) => `${r.TransactionId} ${Number(r.Gross) > 0 ? "CAPTURE" : "REFUND"}`)).toEqual(
      expected.map((op) => `${encodeGlobalID("Transaction", op.transactionId)} ${op.type}`),
    );
    // Each line's fee share is the one the whole settlement's split gives it, across page boundaries too.
    expect(rows.map((r) => cents(r.Fee!))).toEqual(allocate(large.feeAmount, expected.map((op) => (op.type === "CAPTURE" ? op.amount : 0))));
  });

  it("keeps the server responsive while it draws the PDF", async () => {
    // Drawn in one go, these lines held the event loop for one to two seconds; drawn in slices, a turn takes milliseconds.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const response = await get(url("pdf"));
    const pdf = Buffer.from(await response.arrayBuffer());
    delay.disable();
    expect(response.status).toBe(200);
    expect(pdf.subarray(-6).toString("latin1")).toMatch(/%%EOF/);
    expect(delay.max / 1e6).toBeLessThan(500);
  });

  /** Has the gateway's database call `before` ahead of each read of report lines, until the answer is called. */
  function watchLineReads(before: () => void): () => void {
    const services = gateway.services as { db: Db };
    const db = services.db;
    services.db = watchingLineReads(db, { before });
    return () => {
      services.db = db;
    };
  }

  it("stops reading when the client goes away", async () => {
    let reads = 0;
    const restore = watchLineReads(() => reads++);
    try {
      const aborted = new AbortController();
      const response = await fetch(`${gateway.url}${url("csv")}`, { headers: { authorization: `Bearer ${tokens["no-admin"]!}` }, signal: aborted.signal });
      const reader = response.body!.getReader();
      await reader.read();
      aborted.abort();
      // Let whatever was under way finish: the reads must stop well short of the settlement's pages.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const settled = reads;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(reads).toBe(settled);
      expect(reads).toBeLessThan(Math.ceil(large.lines / LINES_PER_READ));
    } finally {
      restore();
    }
  });

  it("cuts the download short, rather than ending it as if whole, when reading fails midway", async () => {
    let reads = 0;
    const restore = watchLineReads(() => {
      if (++reads === 2) throw new Error("connection lost");
    });
    try {
      const response = await get(url("csv"));
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
    } finally {
      restore();
    }
  });
});

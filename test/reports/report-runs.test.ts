/**
 * Report runs through the API: a year of a whole merchant's settlements in all four formats, read back with totals
 * equal to the database's (grand totals past 2^31), who may create and fetch them, and transaction exports with the
 * payer-column rule and defused formulas.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import ExcelJS from "exceljs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate } from "../support/mutate";
import { waitFor } from "../events/support";
import { parseCsv, parseCsvRecords, pdfText, watchingLineReads } from "./support";
import { reportRunDeps } from "../../src/schema/report-run";
import { executeReportRun, reportRunFile, ReportRunWork, runPendingReports, STALE_RUN_MS } from "../../src/services/report-runs";
import type { Prisma } from "../../src/generated/prisma/client";
import { renderReport, writeReport } from "../../src/reports/render";
import { LINES_PER_READ, linesBySettlement, loadSettlementReport, settlementReportSource } from "../../src/reports/settlement-report";
import { collect } from "../../src/reports/sink";

const PUBLIC = "https://portal.example";
let gateway: TestGateway;
let client: pg.Client;
let merchantId: string;
let from: string;
let to: string;

const RUN = "id status progress failureReason fileName downloadUrl periodFrom periodTo totals { msn currency settlements gross { minor } fee { minor } refund { minor } net { minor } }";

interface RunData {
  id: string;
  status: string;
  progress: number;
  failureReason: string | null;
  fileName: string | null;
  downloadUrl: string | null;
  totals: { msn: string | null; currency: string; settlements: number; gross: { minor: string }; fee: { minor: string }; refund: { minor: string }; net: { minor: string } }[];
}

interface Totals {
  msn: string | null;
  currency: string;
  settlements: number;
  gross: string;
  fee: string;
  refund: string;
  net: string;
}

beforeAll(async () => {
  gateway = await startTestGateway({ PUBLIC_BASE_URL: PUBLIC });
  client = new pg.Client({ connectionString: gateway.databaseUrl });
  await client.connect();
  merchantId = (await gateway.services.db.merchant.findFirstOrThrow({ where: { name: "Fjordkaffe AS" } })).id;
  const { rows } = await client.query<{ to: string }>(
    `SELECT max("payoutDate")::text AS to FROM "Settlement" s JOIN "SalesUnit" su ON su.id = s."salesUnitId" WHERE su."merchantId" = $1`,
    [merchantId],
  );
  to = rows[0]!.to;
  from = new Date(new Date(`${to}T00:00:00Z`).getTime() - 364 * 86_400_000).toISOString().slice(0, 10);
  // Two settlements of 20 million each (with the capture each covers): the grand total passes 2^31 minor units.
  const units = await gateway.services.db.salesUnit.findMany({ where: { merchantId, environment: "PRODUCTION" }, orderBy: { msn: "asc" }, take: 2 });
  for (const [i, unit] of units.entries()) {
    const day = new Date(new Date(`${to}T00:00:00Z`).getTime() - (100 + i) * 86_400_000).toISOString().slice(0, 10);
    const settlement = await client.query<{ id: string }>(
      `INSERT INTO "Settlement" (id, "salesUnitId", "periodStart", "periodEnd", "payoutDate", currency, "grossAmount", "refundedAmount", "feeAmount", "netAmount", status)
       VALUES (gen_random_uuid(), $1, $2::date, $2::date + 1, $2::date + 3, $3::"Currency", 2000000000, 0, 1234, 1999998766, 'PAID') RETURNING id`,
      [unit.id, day, unit.currency],
    );
    const tx = await client.query<{ id: string }>(
      `INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, currency, amount, "authorizedAmount", "capturedAmount", status, "createdAt", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"Currency", 2000000000, 2000000000, 2000000000, 'CAPTURED', $5::timestamp, $5::timestamp) RETURNING id`,
      [merchantId, unit.id, `big-${randomBytes(6).toString("hex")}`, unit.currency, `${day}T12:00:00Z`],
    );
    await client.query(
      `INSERT INTO "TransactionOperation" (id, "transactionId", type, amount, "actorKind", "settlementId", "createdAt") VALUES (gen_random_uuid(), $1, 'CAPTURE', 2000000000, 'SYSTEM', $2, $3::timestamp)`,
      [tx.rows[0]!.id, settlement.rows[0]!.id, `${day}T12:00:00Z`],
    );
  }
}, 120_000);

afterAll(async () => {
  await client?.end();
  await gateway?.stop();
});

/** The database's own sums of the period's settlements: per sales unit, then per currency. */
async function databaseTotals(): Promise<Totals[]> {
  const { rows } = await client.query<Totals>(
    `SELECT CASE WHEN GROUPING(su.msn) = 0 THEN su.msn END AS msn, s.currency::text AS currency, count(*)::int AS settlements,
       sum(s."grossAmount")::text AS gross, sum(s."feeAmount")::text AS fee, sum(s."refundedAmount")::text AS refund, sum(s."netAmount")::text AS net
     FROM "Settlement" s JOIN "SalesUnit" su ON su.id = s."salesUnitId"
     WHERE su."merchantId" = $1 AND s."payoutDate" BETWEEN $2::date AND $3::date
     GROUP BY GROUPING SETS ((su.msn, s.currency), (s.currency))
     ORDER BY GROUPING(su.msn), su.msn, s.currency`,
    [merchantId, from, to],
  );
  return rows;
}

async function createRun(token: string, input: Record<string, unknown>) {
  return mutate<RunData>(gateway, token, "createReportRun", input, RUN);
}

async function readyRun(token: string, id: string): Promise<RunData> {
  return waitFor(
    "the report to be ready",
    async () => {
      const response = await gateway.graphql<{ node: RunData | null }>(token, `query($id: ID!) { node(id: $id) { ... on ReportRun { ${RUN} } } }`, { id });
      const run = response.data?.node;
      return run && run.status !== "PENDING" ? run : null;
    },
    60_000,
  );
}

async function download(token: string, url: string): Promise<Response> {
  return fetch(url.replace(PUBLIC, gateway.url), { headers: { authorization: `Bearer ${token}` } });
}

/** "1234.50" or "-0.05" → minor units. */
const minor = (decimal: string) => (BigInt(decimal.replace(".", "")) * 1n).toString();
/** "1 234,50 NOK" / "1.234,50 DKK" / "-12,00 EUR" → minor units (two decimals always). */
const minorOfFormatted = (text: string) => BigInt(text.replace(/[^0-9-]/g, "")).toString();

function addUp(records: { key: string; currency: string; gross: string; fee: string; refund: string; net: string }[]) {
  const sums = new Map<string, bigint[]>();
  for (const r of records) {
    const entry = sums.get(`${r.key} ${r.currency}`) ?? [0n, 0n, 0n, 0n];
    [r.gross, r.fee, r.refund, r.net].forEach((value, i) => {
      entry[i]! += BigInt(value);
    });
    sums.set(`${r.key} ${r.currency}`, entry);
  }
  return sums;
}

describe("createReportRun: a year of the whole merchant", () => {
  it.each(["CSV", "XML", "XLSX", "PDF"] as const)("%s: read back, its totals equal the database's", async (format) => {
    const token = await gateway.token("no-admin");
    const created = await createRun(token, { merchantId: encodeGlobalID("Merchant", merchantId), from, to, format });
    expect(created.result?.__typename).toBe("MutationCreateReportRunSuccess");
    const run = await readyRun(token, created.result!.data!.id);
    expect(run.status).toBe("READY");
    expect(run.downloadUrl).toBe(`${PUBLIC}/reports/runs/${run.id.length > 0 ? (await gateway.services.db.reportRun.findFirstOrThrow({ orderBy: { createdAt: "desc" } })).id : ""}.${format.toLowerCase()}`);
    const expected = await databaseTotals();
    const grand = expected.filter((t) => t.msn === null);
    expect(grand.some((t) => BigInt(t.gross) > 2n ** 31n)).toBe(true);
    // The run's own totals, in the money type.
    expect(run.totals.map((t) => ({ msn: t.msn, currency: t.currency, settlements: t.settlements, gross: t.gross.minor, fee: t.fee.minor, refund: t.refund.minor, net: t.net.minor }))).toEqual(expected);

    const response = await download(token, run.downloadUrl!);
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    if (format === "CSV") {
      const lines = parseCsvRecords(body.toString("utf8").replace(/^\uFEFF/, ""));
      expect(lines.length).toBe(run.progress);
      const sums = addUp(lines.map((l) => ({ key: "", currency: l.Currency!, gross: minor(l.Gross!), fee: minor(l.Fee!), refund: minor(l.Refund!), net: minor(l.Net!) })));
      for (const t of grand) expect(sums.get(` ${t.currency}`)?.map(String)).toEqual([t.gross, t.fee, t.refund, t.net]);
    } else if (format === "XML") {
      const xml = body.toString("utf8");
      const field = (element: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(element)?.[1] ?? null;
      const parsed = [...xml.matchAll(/<(SalesUnitTotal|GrandTotal)>(.*?)<\/\1>/g)].map(([, kind, inner]) => ({
        msn: kind === "GrandTotal" ? null : field(inner!, "MSN"),
        currency: field(inner!, "Currency")!,
        settlements: Number(field(inner!, "Settlements")),
        gross: minor(field(inner!, "Gross")!),
        fee: minor(field(inner!, "Fee")!),
        refund: minor(field(inner!, "Refund")!),
        net: minor(field(inner!, "Net")!),
      }));
      expect(parsed).toEqual(expected);
    } else if (format === "XLSX") {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(body as unknown as ArrayBuffer);
      const sheet = workbook.getWorksheet("Totals")!;
      const parsed: Totals[] = [];
      sheet.eachRow((row, number) => {
        if (number === 1) return;
        const v = (i: number) => row.getCell(i).value;
        const cents = (i: number) => String(Math.round(Number(v(i)) * 100));
        parsed.push({ msn: v(1) === "" || v(1) === null ? null : String(v(1)), currency: String(v(3)), settlements: Number(v(4)), gross: cents(5), fee: cents(6), refund: cents(7), net: cents(8) });
      });
      expect(parsed).toEqual(expected);
    } else {
      const text = pdfText(body);
      const parsed: Totals[] = [];
      for (const line of text.split("\n")) {
        const m = /^(?:.* · MSN (\d+)|Grand total [A-Z]{3}) · (\d+) settlements · gross (.+) · fees (.+) · refunds (.+) · net (.+)$/.exec(line);
        if (!m) continue;
        parsed.push({
          msn: m[1] ?? null,
          currency: m[6]!.slice(-3),
          settlements: Number(m[2]),
          gross: minorOfFormatted(m[3]!),
          fee: minorOfFormatted(m[4]!),
          refund: minorOfFormatted(m[5]!),
          net: minorOfFormatted(m[6]!),
        });
      }
      expect(parsed).toEqual(expected);
    }
  }, 120_000);
});

describe("createReportRun: who may", () => {
  it("lets a Sales Unit Manager report on their own unit but not on the whole merchant, nor with payer data without the permission", async () => {
    const token = await gateway.token("no-sum");
    const msn = gateway.persona("no-sum").salesUnits[0]!;
    const unit = await gateway.services.db.salesUnit.findUniqueOrThrow({ where: { msn } });
    const base = { merchantId: encodeGlobalID("Merchant", merchantId), from, to, format: "CSV" };
    expect((await createRun(token, base)).errorCode).toBe("FORBIDDEN");
    expect((await createRun(token, { ...base, salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)], includePersonalData: true })).errorCode).toBe("FORBIDDEN");
    const own = await createRun(token, { ...base, salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)] });
    const run = await readyRun(token, own.result!.data!.id);
    expect(run.status).toBe("READY");
    expect(run.totals.every((t) => t.msn === null || t.msn === msn)).toBe(true);
  });

  it("shows a run and its file only to whoever created it", async () => {
    const token = await gateway.token("no-admin");
    const created = await createRun(token, { merchantId: encodeGlobalID("Merchant", merchantId), from, to, format: "CSV" });
    const run = await readyRun(token, created.result!.data!.id);
    const colleague = await gateway.token("no-sum-tm");
    const seen = await gateway.graphql<{ node: unknown }>(colleague, "query($id: ID!) { node(id: $id) { id } }", { id: run.id });
    expect(seen.data?.node).toBeNull();
    expect((await download(colleague, run.downloadUrl!)).status).toBe(404);
    expect((await download(token, run.downloadUrl!)).status).toBe(200);
    expect((await fetch(run.downloadUrl!.replace(PUBLIC, gateway.url))).status).toBe(401);
  });

  it("answers 410 at once for a READY run whose file is gone (a data directory not shared, retention just now)", async () => {
    const token = await gateway.token("no-admin");
    const created = await createRun(token, { merchantId: encodeGlobalID("Merchant", merchantId), from, to, format: "CSV" });
    const run = await readyRun(token, created.result!.data!.id);
    const stored = await gateway.services.db.reportRun.findUniqueOrThrow({ where: { id: decodeGlobalID(run.id).id } });
    rmSync(reportRunFile(`${gateway.services.config.dataDir}/report-runs`, stored));
    const response = await fetch(run.downloadUrl!.replace(PUBLIC, gateway.url), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(410);
    expect(((await response.json()) as { error: string }).error).toBe("GONE");
  });

  it("hides a run, its totals and its file from its creator once their access no longer covers it", async () => {
    const token = await gateway.token("no-sum-tm");
    const persona = gateway.persona("no-sum-tm");
    const unit = await gateway.services.db.salesUnit.findUniqueOrThrow({ where: { msn: persona.salesUnits[0]! } });
    const created = await createRun(token, { merchantId: encodeGlobalID("Merchant", merchantId), salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)], from, to, format: "CSV" });
    const run = await readyRun(token, created.result!.data!.id);
    expect(run.totals.length).toBeGreaterThan(0);
    expect((await download(token, run.downloadUrl!)).status).toBe(200);

    const membership = await gateway.services.db.membership.findFirstOrThrow({ where: { merchantId, user: { nin: persona.nin! } } });
    const removed = await gateway.graphql<{ removeUser: { __typename: string } }>(
      await gateway.token("no-admin"),
      "mutation($input: RemoveUserInput!) { removeUser(input: $input) { __typename } }",
      { input: { membershipId: encodeGlobalID("Membership", membership.id) } },
    );
    expect(removed.data?.removeUser.__typename).toBe("MutationRemoveUserSuccess");
    const seen = await gateway.graphql<{ node: unknown }>(token, `query($id: ID!) { node(id: $id) { ... on ReportRun { totals { net { minor } } } } }`, { id: run.id });
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.node).toBeNull();
    expect((await download(token, run.downloadUrl!)).status).toBe(404);
  });

  it("audits the personal-data variant and puts payer names in it", async () => {
    const token = await gateway.token("no-admin");
    const created = await createRun(token, { merchantId: encodeGlobalID("Merchant", merchantId), from, to, format: "CSV", includePersonalData: true });
    const run = await readyRun(token, created.result!.data!.id);
    const id = (await gateway.services.db.reportRun.findFirstOrThrow({ where: { includePersonalData: true }, orderBy: { createdAt: "desc" } })).id;
    const audit = await gateway.services.db.auditEvent.findMany({ where: { objectType: "ReportRun", objectId: id }, orderBy: { id: "asc" } });
    // The run's end is recorded too (with its reportRun.READY event).
    expect(audit.map((a) => a.action)).toEqual(["reportRun.createPersonalData", "reportRun.ready"]);
    const [header] = parseCsv((await (await download(token, run.downloadUrl!)).text()).replace(/^\uFEFF/, ""));
    expect(header).toContain("PayerFirstName");
  });

  it("answers NotFoundError to customer service for a merchant that does not exist, and makes nothing", async () => {
    const before = await gateway.services.db.reportRun.count();
    const outcome = await createRun(await gateway.token("operator"), { merchantId: encodeGlobalID("Merchant", randomUUID()), from, to, format: "CSV" });
    expect(outcome.result).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND" });
    expect(await gateway.services.db.reportRun.count()).toBe(before);
  });

  it("refuses a period that ends before it starts", async () => {
    const token = await gateway.token("no-admin");
    const outcome = await createRun(token, { merchantId: encodeGlobalID("Merchant", merchantId), from: to, to: from, format: "CSV" });
    expect(outcome.result).toMatchObject({ __typename: "ValidationError", field: "to" });
  });
});

describe("a settlement report written as it is read", () => {
  it("reads at most a page of lines at a time, and writes the same bytes as the report read at once", async () => {
    const db = gateway.services.db;
    const where = { salesUnit: { merchantId }, payoutDate: { gte: new Date(`${from}T00:00:00Z`), lte: new Date(`${to}T00:00:00Z`) } };
    const options = { merchantName: "Fjordkaffe AS", generatedAt: new Date("2026-03-05T08:00:00Z"), includePersonalData: true, period: { from, to } };
    expect(await db.settlement.count({ where })).toBeGreaterThan(100);
    const whole = await loadSettlementReport(db, where, options);
    // Settlements with more lines than a page are read on their own, page by page, their fees shared as if at once.
    expect(Math.max(...[...linesBySettlement(whole).values()].map((lines) => lines.length))).toBeGreaterThan(3);
    let reads = 0;
    let largest = 0;
    const counting = watchingLineReads(db, {
      after: (rows) => {
        reads++;
        largest = Math.max(largest, rows.length);
      },
    });
    for (const linesPerRead of [LINES_PER_READ, 3]) {
      for (const format of ["CSV", "XML"] as const) {
        [reads, largest] = [0, 0];
        const source = await settlementReportSource(counting, where, options, linesPerRead);
        const streamed = await collect((out) => writeReport(source, format, out));
        expect(streamed.equals(await renderReport(whole, format)), `${format} ${linesPerRead}`).toBe(true);
        expect(largest, `${format} ${linesPerRead}`).toBeLessThanOrEqual(linesPerRead);
        expect(reads, `${format} ${linesPerRead}`).toBeGreaterThanOrEqual(Math.ceil(whole.lines.length / linesPerRead));
      }
    }
  });
});

/** A whole-merchant settlement run of the period, by no-admin, as createReportRun would store it; `extra` on top. */
async function settlementRunRow(extra: Partial<Prisma.ReportRunUncheckedCreateInput> = {}) {
  const user = await gateway.services.db.portalUser.findFirstOrThrow({ where: { nin: gateway.persona("no-admin").nin! } });
  return gateway.services.db.reportRun.create({
    data: {
      kind: "SETTLEMENTS",
      merchantId,
      salesUnitIds: [],
      periodFrom: new Date(`${from}T00:00:00Z`),
      periodTo: new Date(`${to}T00:00:00Z`),
      format: "CSV",
      createdByKind: "USER",
      createdById: user.id,
      ...extra,
    },
  });
}

/** The database with its operations read only once the test releases them: a run is midway until then. */
function gatedOperations() {
  const real = gateway.services.db;
  let reached!: () => void;
  const midway = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const gated = new Proxy(real, {
    get(target, property) {
      // The lines of each batch of settlements are counted before they are read.
      if (property === "transactionOperation") {
        return {
          groupBy: async (args: unknown) => {
            reached();
            await released;
            return real.transactionOperation.groupBy(args as Parameters<typeof real.transactionOperation.groupBy>[0]);
          },
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { gated, midway, release };
}

describe("the claim on a run", () => {
  it("leaves a run to the worker that keeps renewing its claim, however long ago it started, and takes over one whose claim went unrenewed", async () => {
    const deps = reportRunDeps({ services: gateway.services });
    const now = gateway.services.clock.now().getTime();
    const other = randomUUID();
    const run = await settlementRunRow({
      // Another worker started two hours ago (a long export) and renewed its claim a minute ago.
      claim: other,
      startedAt: new Date(now - 2 * 3600_000),
      heartbeatAt: new Date(now - 60_000),
    });
    const othersPartial = `${reportRunFile(deps.directory, run)}.${other}.partial`;
    mkdirSync(deps.directory, { recursive: true });
    writeFileSync(othersPartial, "the other worker's rows so far");
    try {
      await runPendingReports(deps);
      expect(await executeReportRun(deps, run.id)).toBe(false);
      // A run an instance of the version before claims is writing (no claim, started 10 minutes ago) is left to it.
      await gateway.services.db.reportRun.update({ where: { id: run.id }, data: { claim: null, heartbeatAt: null, startedAt: new Date(now - 10 * 60_000) } });
      expect(await executeReportRun(deps, run.id)).toBe(false);
      await gateway.services.db.reportRun.update({ where: { id: run.id }, data: { claim: other, heartbeatAt: new Date(now - 60_000), startedAt: new Date(now - 2 * 3600_000) } });
      expect(await gateway.services.db.reportRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "PENDING", claim: other });

      // The other worker stopped: its claim went unrenewed for longer than STALE_RUN_MS.
      await gateway.services.db.reportRun.update({ where: { id: run.id }, data: { heartbeatAt: new Date(now - STALE_RUN_MS - 60_000) } });
      expect(await executeReportRun(deps, run.id)).toBe(true);
      const done = await gateway.services.db.reportRun.findUniqueOrThrow({ where: { id: run.id } });
      expect(done.status).toBe("READY");
      expect(done.claim).not.toBe(other);
      expect(readFileSync(reportRunFile(deps.directory, run), "utf8")).toContain("OrderId");
      // Each claim writes a partial file of its own, and the one that took over removed the stopped worker's.
      expect(existsSync(othersPartial)).toBe(false);
    } finally {
      rmSync(othersPartial, { force: true });
    }
  });
});

describe("a run in flight when its instance stops", () => {
  it("stops between two batches and gives its claim up, so another instance makes it at once", async () => {
    const real = gateway.services.db;
    // The run is midway when the instance stops.
    const { gated, midway, release } = gatedOperations();
    const work = new ReportRunWork();
    const deps = { ...reportRunDeps({ services: gateway.services }), db: gated, work };
    const run = await settlementRunRow({ createdAt: new Date(Date.now() - 60_000) });
    const running = work.track(executeReportRun(deps, run.id));
    await midway;
    const settled = work.settle(0);
    release();
    await settled;
    expect(await running).toBe(false);
    expect(await real.reportRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "PENDING", claim: null, startedAt: null, heartbeatAt: null });
    const file = reportRunFile(deps.directory, run);
    expect(readdirSync(path.dirname(file)).filter((name) => name.startsWith(path.basename(file)))).toEqual([]);
    // A stopped instance starts nothing more.
    expect(await executeReportRun(deps, run.id)).toBe(false);

    // This gateway's own report-run job may take it up first; either way it is made now, not after STALE_RUN_MS.
    await runPendingReports(reportRunDeps({ services: gateway.services }));
    await waitFor("the handed-back run to be made", async () => (await real.reportRun.findUniqueOrThrow({ where: { id: run.id } })).status === "READY");
    expect(readFileSync(file, "utf8")).toContain("OrderId");
  });
});

describe("the runs an instance makes at once", () => {
  it("leaves a run past its slots unclaimed and PENDING, for a later pass, so runs never take the whole request pool", async () => {
    const real = gateway.services.db;
    const { gated, midway, release } = gatedOperations();
    const deps = { ...reportRunDeps({ services: gateway.services }), db: gated, work: new ReportRunWork(1) };
    const [first, second] = [await settlementRunRow(), await settlementRunRow()];
    const running = executeReportRun(deps, first.id);
    await midway;
    expect(await executeReportRun(deps, second.id)).toBe(false);
    expect(await real.reportRun.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: "PENDING", claim: null, startedAt: null });
    release();
    expect(await running).toBe(true);
    expect(await executeReportRun(deps, second.id)).toBe(true);
    expect((await real.reportRun.findMany({ where: { id: { in: [first.id, second.id] } } })).map((run) => run.status)).toEqual(["READY", "READY"]);
  });
});

describe("a run whose reads fail midway", () => {
  it("ends FAILED with its reason and leaves no file behind", async () => {
    const real = gateway.services.db;
    // The settlements read; the operations of the first batch do not.
    const failing = new Proxy(real, {
      get(target, property) {
        if (property === "transactionOperation") return { findMany: () => Promise.reject(new Error("connection lost")) };
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const deps = { ...reportRunDeps({ services: gateway.services }), db: failing };
    const run = await settlementRunRow({ format: "XLSX" });
    expect(await executeReportRun(deps, run.id)).toBe(true);
    expect(await real.reportRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "FAILED", failureReason: expect.stringContaining("could not be made") });
    const file = reportRunFile(deps.directory, run);
    expect(readdirSync(path.dirname(file)).filter((name) => name.startsWith(path.basename(file)))).toEqual([]);
  });
});

describe("createTransactionExport", () => {
  const EXPORT = "mutation($input: CreateTransactionExportInput!) { createTransactionExport(input: $input) { __typename ... on MutationCreateTransactionExportSuccess { data { id } } } }";

  async function exportRows(persona: string, filter: Record<string, unknown>, format = "CSV"): Promise<{ run: RunData; body: Buffer }> {
    const token = await gateway.token(persona);
    const response = await gateway.graphql<{ createTransactionExport: { data: { id: string } } }>(token, EXPORT, { input: { filter, format } });
    const id = response.data?.createTransactionExport.data.id;
    if (!id) throw new Error(JSON.stringify(response));
    const run = await readyRun(token, id);
    const file = await download(token, run.downloadUrl!);
    expect(file.status).toBe(200);
    return { run, body: Buffer.from(await file.arrayBuffer()) };
  }

  it("exports what the transactions list selects, in its order, with payer columns for those who may see payers, defusing formulas", async () => {
    const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { merchantId, environment: "PRODUCTION" }, orderBy: { msn: "asc" } });
    await client.query(
      `INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, description, "payerName", currency, amount, status, "createdAt", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, '=HYPERLINK("http://evil.example")', '@SUM(A1)', $4::"Currency", 100, 'REQUESTED', now(), now())`,
      [merchantId, unit.id, `formula-${randomBytes(4).toString("hex")}`, unit.currency],
    );
    // An order id may begin with "-" (references are letters, digits and hyphens).
    const dashed = `-1000-${randomBytes(4).toString("hex")}`;
    await client.query(
      `INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, currency, amount, status, "createdAt", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"Currency", 100, 'REQUESTED', now(), now())`,
      [merchantId, unit.id, dashed, unit.currency],
    );
    const filter = { merchantId: encodeGlobalID("Merchant", merchantId) };
    const list = await gateway.graphql<{ transactions: { totalCount: number } }>(await gateway.token("no-admin"), "query($f: TransactionFilter) { transactions(filter: $f, first: 1) { totalCount } }", { f: filter });
    const { run, body } = await exportRows("no-admin", filter);
    const rows = parseCsv(body.toString("utf8").replace(/^\uFEFF/, ""));
    const [header, ...records] = rows;
    expect(header).toContain("PayerName");
    expect(records.length).toBe(list.data!.transactions.totalCount);
    expect(run.progress).toBe(records.length);
    const created = records.map((r) => r[0]!);
    expect([...created].sort().reverse()).toEqual(created);
    const formula = records.find((r) => r[header!.indexOf("Description")]!.includes("HYPERLINK"))!;
    expect(formula[header!.indexOf("Description")]).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(formula[header!.indexOf("PayerName")]).toBe("'@SUM(A1)");
    expect(records.map((r) => r[header!.indexOf("OrderId")])).toContain(`'${dashed}`);
  });

  it("leaves the payer columns out for a caller who may not see payer details (an operator), or may see them but not take personal-data reports", async () => {
    for (const who of ["operator", "no-sum", "no-assistant"]) {
      const { body } = await exportRows(who, who === "operator" ? { merchantId: encodeGlobalID("Merchant", merchantId) } : {});
      const [header] = parseCsv(body.toString("utf8").replace(/^\uFEFF/, ""));
      expect(header, who).not.toContain("PayerName");
      expect(header, who).not.toContain("Message");
      expect(body.toString("utf8"), who).not.toContain("@SUM(A1)");
    }
  });

  it("writes XLSX with the same rows", async () => {
    const filter = { merchantId: encodeGlobalID("Merchant", merchantId), status: ["CAPTURED"] };
    const { run, body } = await exportRows("no-admin", filter, "XLSX");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Transactions")!;
    expect(sheet.rowCount - 1).toBe(run.progress);
    const count = await gateway.services.db.transaction.count({ where: { merchantId, status: "CAPTURED" } });
    expect(run.progress).toBe(count);
  });
});

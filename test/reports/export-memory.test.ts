/**
 * A 200,000-row transaction export runs in a child process (the path the gateway takes: a report run, rows from a
 * PostgreSQL cursor in batches into the file) and its peak resident memory stays under a fixed bound. Holding the rows
 * (or the file) in memory would fail it: 200,000 rows are ~45 MB of CSV and several times that as objects.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viewableTransactions, transactionListCondition } from "../../src/auth/policies/transaction";
import { resolvePrincipal } from "../../src/auth/principal";
import { startTestGateway, type TestGateway } from "../support/gateway";

const ROWS = 200_000;
/**
 * The child's V8 heap is capped: an export that held its rows (200,000 row objects are well over 100 MB) dies there.
 * Without the cap V8 collects lazily and the peak says more about the collector than about the export.
 */
const CHILD_FLAGS = ["--max-old-space-size=128"];
/**
 * Peak resident memory of the child, measured on Node 20 under load: 215–270 MB after start-up (Node, tsx, Prisma and
 * its engine; the start-up figure alone moves by 50 MB between machines and runs); CSV grows by ~50–60 MB (peaks of
 * ~275–321 MB), XLSX by up to ~150 MB (peaks of ~270–390 MB: exceljs' zip output buffers outside the V8 heap; the
 * most, 392 MB and 151 MB of growth, during a whole `npm test` on two busy cores). The growth bound is the one that
 * tells streaming from buffering: the XLSX sheet of these rows is well over 100 MB of XML before compression, and the
 * CSV's rows as objects are several times its 45 MB. The peak bound leaves room for the start-up figure's spread.
 */
const BOUNDS = {
  CSV: { maxRss: 380 * 1024 * 1024, maxGrowth: 100 * 1024 * 1024 },
  XLSX: { maxRss: 460 * 1024 * 1024, maxGrowth: 200 * 1024 * 1024 },
} as const;

const run = promisify(execFile);
let gateway: TestGateway;
let directory: string;
let merchantId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  directory = await mkdtemp(path.join(tmpdir(), "export-memory-"));
  const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { merchant: { name: "Fjordkaffe AS" }, environment: "PRODUCTION" }, orderBy: { msn: "asc" } });
  merchantId = unit.merchantId;
  const client = new pg.Client({ connectionString: gateway.databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, description, "payerName", "payerPhone", currency, amount, "authorizedAmount", "capturedAmount", status, "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $1, $2, 'mem-' || i, 'Kaffe og boller nr. ' || i, 'Kari Nordmann ' || i, '+4791' || lpad((i % 1000000)::text, 6, '0'), $3::"Currency",
         1000 + i % 50000, 1000 + i % 50000, 1000 + i % 50000, 'CAPTURED', timestamp '2025-01-01' + i * interval '1 minute', now()
       FROM generate_series(1, $4::int) AS i`,
      [unit.merchantId, unit.id, unit.currency, ROWS],
    );
  } finally {
    await client.end();
  }
}, 300_000);

afterAll(async () => {
  await gateway?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe("transaction export memory", () => {
  it.each(["CSV", "XLSX"] as const)("exports 200,000 rows as %s in a child process under a fixed peak resident memory", async (format) => {
    const db = gateway.services.db;
    const verified = await gateway.services.tokens.verify(await gateway.token("no-admin"));
    const { principal, access } = await resolvePrincipal(db, verified);
    const filter = { merchantId, createdFrom: new Date("2025-01-01T00:00:00Z") };
    const input = { condition: transactionListCondition(filter, access), access: viewableTransactions(access), format, includePayer: true, merchantId };
    const { stdout } = await run(process.execPath, [...CHILD_FLAGS, "--import", "tsx", "test/reports/export-child.ts", gateway.databaseUrl, directory, JSON.stringify({ principal, input })], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      maxBuffer: 1024 * 1024,
    });
    const measured = JSON.parse(stdout.trim().split("\n").pop()!) as { id: string; worked: boolean; baselineRss: number; maxRss: number; seconds: number };
    const created = { id: measured.id };
    console.info(`${format} export of ${ROWS} rows: peak RSS ${(measured.maxRss / 2 ** 20).toFixed(0)} MB (baseline ${(measured.baselineRss / 2 ** 20).toFixed(0)} MB), ${measured.seconds.toFixed(1)} s`);
    expect(measured.worked).toBe(true);
    const finished = await db.reportRun.findUniqueOrThrow({ where: { id: created.id } });
    expect(finished.status).toBe("READY");
    const expected = await db.transaction.count({ where: { merchantId, createdAt: { gte: filter.createdFrom } } });
    expect(expected).toBeGreaterThanOrEqual(ROWS);
    expect(finished.progress).toBe(expected);
    if (format === "CSV") {
      const text = await readFile(path.join(directory, `${created.id}.csv`), "utf8");
      expect(text.split("\r\n").filter(Boolean)).toHaveLength(expected + 1);
    }
    expect(measured.maxRss).toBeLessThan(BOUNDS[format].maxRss);
    expect(measured.maxRss - measured.baselineRss).toBeLessThan(BOUNDS[format].maxGrowth);
  }, 600_000);
});

/**
 * E1, transaction exports: the report-run path of `createTransactionExport` (rows from a PostgreSQL cursor in batches
 * into a file) over every payment of the bench dataset, as CSV (and XLSX unless `--quick`), each in a process of its
 * own (V8 heap capped at 128 MB) so its peak resident memory is its own. Reports rows per second and the peak.
 *
 * As a scenario of `npm run bench` (bench/run.ts calls `runExportScenario`), or alone:
 *   node --import tsx bench/e1-exports.ts --database-url <url> --format CSV   (prints one JSON line)
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pino from "pino";
import { EVERYTHING } from "../src/db/conditions";
import { createPrisma } from "../src/db/client";
import { createTransactionExportRun, executeReportRun } from "../src/services/report-runs";
import type { ExportFormat } from "../src/reports/transaction-export";
import { Access } from "../src/auth/permissions";
import { callerFor } from "../src/services/caller";

const SCRIPT = fileURLToPath(import.meta.url);

interface ExportFigures {
  rows: number;
  seconds: number;
  baselineRssMb: number;
  peakRssMb: number;
}

/** One export in this process: every transaction (an operator-wide condition), payer columns included. */
async function exportOnce(databaseUrl: string, format: ExportFormat): Promise<ExportFigures> {
  const db = createPrisma(databaseUrl, { poolSize: 2 });
  const directory = await mkdtemp(path.join(tmpdir(), "bench-export-"));
  try {
    const deps = { db, logger: pino({ level: "silent" }), clock: { now: () => new Date() }, directory };
    const principal = { kind: "OPERATOR" as const, id: "bench", label: "Benchmark", expiresAt: new Date(Date.now() + 3_600_000) };
    const run = await createTransactionExportRun(deps, { ...callerFor({ principal, access: Access.none, requestId: "bench-e1" }), principal }, { condition: EVERYTHING, access: EVERYTHING, format, includePayer: true, merchantId: null });
    const baseline = process.memoryUsage().rss;
    const started = performance.now();
    await executeReportRun(deps, run.id);
    const seconds = (performance.now() - started) / 1000;
    const finished = await db.reportRun.findUniqueOrThrow({ where: { id: run.id } });
    if (finished.status !== "READY") throw new Error(`The export ended ${finished.status}: ${finished.failureReason}`);
    await db.reportRun.delete({ where: { id: run.id } });
    return { rows: finished.progress, seconds, baselineRssMb: baseline / 2 ** 20, peakRssMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20 };
  } finally {
    await rm(directory, { recursive: true, force: true });
    await db.$disconnect();
  }
}

/** Runs each format's export in a child process; figures keyed for the bench report (null when it failed). */
export async function runExportScenario(databaseUrl: string, quick: boolean, log: (message: string) => void): Promise<Record<string, number | null>> {
  const report: Record<string, number | null> = {};
  for (const format of quick ? (["CSV"] as const) : (["CSV", "XLSX"] as const)) {
    const prefix = `e1_${format.toLowerCase()}`;
    // The heap is capped as in test/reports/export-memory.test.ts: the peak then shows what the export holds, not how
    // lazily V8 collects (an export that kept its rows would die here).
    const child = spawn(process.execPath, ["--max-old-space-size=128", "--import", "tsx", SCRIPT, "--database-url", databaseUrl, "--format", format], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      if (code !== 0) throw new Error(`exit ${code}`);
      const figures = JSON.parse(stdout.trim().split("\n").pop() ?? "") as ExportFigures;
      report[`${prefix}_rows`] = figures.rows;
      report[`${prefix}_rows_per_s`] = Math.round(figures.rows / figures.seconds);
      report[`${prefix}_peak_rss_mb`] = Math.round(figures.peakRssMb);
      report[`${prefix}_baseline_rss_mb`] = Math.round(figures.baselineRssMb);
      log(`  E1 ${format}: ${figures.rows} rows in ${figures.seconds.toFixed(1)} s (${report[`${prefix}_rows_per_s`]} rows/s), peak RSS ${report[`${prefix}_peak_rss_mb`]} MB (${report[`${prefix}_baseline_rss_mb`]} MB before the export)`);
    } catch (error) {
      log(`  E1 ${format} failed: ${(error as Error).message}`);
      for (const key of ["rows", "rows_per_s", "peak_rss_mb", "baseline_rss_mb"]) report[`${prefix}_${key}`] = null;
      process.exitCode = 1;
    }
  }
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { "database-url": { type: "string" }, format: { type: "string", default: "CSV" } } });
  if (!values["database-url"]) throw new Error("--database-url is required");
  const figures = await exportOnce(values["database-url"], values.format === "XLSX" ? "XLSX" : "CSV");
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

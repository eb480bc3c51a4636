/**
 * Child process of the export memory test: creates a transaction export (a report run) and makes it as the gateway
 * would, then prints its resident memory as JSON: `baselineRss` after start-up (Prisma connected, modules loaded),
 * and `maxRss`, the peak of the whole process, both in bytes. It creates the run itself, so no other instance's
 * report-run job can take it first.
 * Usage: node --import tsx test/reports/export-child.ts <databaseUrl> <directory> <run input as JSON>
 */
import pino from "pino";
import type { Principal } from "../../src/auth/principal";
import { Access } from "../../src/auth/permissions";
import { createPrisma } from "../../src/db/client";
import { callerFor } from "../../src/services/caller";
import { createTransactionExportRun, executeReportRun, type ExportRunInput } from "../../src/services/report-runs";

const [databaseUrl, directory, json] = process.argv.slice(2) as [string, string, string];
const { principal, input } = JSON.parse(json) as { principal: Principal; input: ExportRunInput };
const db = createPrisma(databaseUrl, { poolSize: 2 });
const deps = { db, logger: pino({ level: "silent" }), clock: { now: () => new Date() }, directory };
// The run's rows and access come in `input`; the caller only names who made it (and its audit row).
const caller = { ...callerFor({ principal, access: Access.none, requestId: "export-memory-test" }), principal };
const run = await createTransactionExportRun(deps, caller, input);
const baselineRss = process.memoryUsage().rss;
const started = Date.now();
const worked = await executeReportRun(deps, run.id);
const seconds = (Date.now() - started) / 1000;
await db.$disconnect();
// resourceUsage().maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ id: run.id, worked, baselineRss, maxRss: process.resourceUsage().maxRSS * 1024, seconds })}\n`);

/**
 * Child process of the export memory test: makes one report run (a transaction export, cursor → file) as the gateway
 * would, and prints its resident memory as JSON: `baselineRss` after start-up (Prisma connected, modules loaded), and
 * `maxRss`, the peak of the whole process, both in bytes.
 * Usage: node --import tsx test/reports/export-child.ts <databaseUrl> <reportRunId> <directory>
 */
import pino from "pino";
import { createPrisma } from "../../src/db/client";
import { executeReportRun } from "../../src/services/report-runs";

const [databaseUrl, runId, directory] = process.argv.slice(2) as [string, string, string];
const db = createPrisma(databaseUrl, { poolSize: 2 });
await db.$queryRawUnsafe("SELECT 1");
const baselineRss = process.memoryUsage().rss;
const started = Date.now();
const worked = await executeReportRun({ db, logger: pino({ level: "silent" }), clock: { now: () => new Date() }, directory }, runId);
const seconds = (Date.now() - started) / 1000;
await db.$disconnect();
// resourceUsage().maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ worked, baselineRss, maxRss: process.resourceUsage().maxRSS * 1024, seconds })}\n`);

/**
 * `npm run bench [-- --quick]`: the gateway against PostGraphile and against the floor (one hand-written SQL
 * statement per question behind node:http), each in its own process on the same generated database, loaded by
 * autocannon from a process of its own. Answers are checked equal first; then rounds measure every server in turn
 * (the order rotating between rounds) and ratios are taken within a round, because absolute figures on a shared
 * machine mean little. SQL statements are counted on the wire by a proxy in front of PostgreSQL, before the timed
 * loads, which run with the servers connected straight to PostgreSQL. The last line of
 * stdout is one JSON object with the figures.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { isDeepStrictEqual, parseArgs } from "node:util";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { projectRoot } from "../src/config";
import { localOrEmbeddedPostgres } from "../src/db/embedded";
import { createDatabase, databaseUrlWithName, dropDatabase, withClient } from "../src/db/admin";
import { createPrisma } from "../src/db/client";
import { applyMigrations } from "../src/db/migrate";
import { seedDemoData } from "../src/seed";
import { DEFAULT_PARAMETERS, ensureDataset } from "./dataset";
import type { LoadRequest, LoadResult } from "./load";
import { statementsOf } from "./pg-proxy";
import {
  buildScenarios,
  captureOperationCount,
  createTokenMinter,
  resetCapturePool,
  type Scenario,
  type ScenarioName,
  type ServerName,
} from "./scenarios";
import { runExportScenario } from "./e1-exports";
import {
  ensurePostgraphileInstalled,
  postgraphileVersion,
  startFloor,
  startGatewayProcess,
  startLoadGenerator,
  startPostgraphile,
  startProxies,
  type CountingProxies,
  type HttpServer,
  type Stoppable,
} from "./servers";

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    seconds: { type: "string", default: process.env.BENCH_SECONDS },
    connections: { type: "string", default: process.env.BENCH_CONNECTIONS ?? "32" },
    transactions: { type: "string" },
    subscribers: { type: "string" },
    database: { type: "string", default: "portal_bench" },
    baseline: { type: "string" },
    "baseline-env": { type: "string", multiple: true },
    "skip-s1": { type: "boolean", default: false },
    only: { type: "string" },
    "low-connections": { type: "string", default: "4" },
  },
});

const QUICK = options.quick;
const SECONDS = Number(options.seconds ?? (QUICK ? 3 : 10));
const ROUNDS = Number(options.rounds ?? (QUICK ? 2 : 3));
const WARMUP_SECONDS = QUICK ? 1 : 3;
const CONNECTIONS = Number(options.connections);
/**
 * Q1 is also measured at a concurrency this machine can serve without a queue: by Little's law a server's median
 * latency at C connections is about C ÷ its throughput, so at 32 connections p50 (and p99 above it) measures the
 * queue in front of the CPU, not the request.
 */
const LOW_CONNECTIONS = Number(options["low-connections"]);
/** Every server gets the gateway's own pool size, so none wins by holding more database connections. */
const POOL_SIZE = 10;
/** `--baseline DIR`: the gateway of another checkout (the code before a change) measured in the same rounds. */
const BASELINE = options.baseline ? path.resolve(options.baseline) : null;
/** `--baseline-env NAME=VALUE` (repeatable): environment for the baseline only, e.g. `--baseline . --baseline-env DATABASE_POOL_SIZE=4`. */
const BASELINE_ENV = Object.fromEntries(
  (options["baseline-env"] ?? []).map((pair) => {
    const at = pair.indexOf("=");
    if (at < 1) throw new Error(`--baseline-env takes NAME=VALUE, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const SERVERS: ServerName[] = BASELINE ? ["gateway", "baseline", "postgraphile", "floor"] : ["gateway", "postgraphile", "floor"];
const S1_SCRIPT = path.join(projectRoot, "bench", "s1-live-feed.ts");
const S1_KEYS = [
  "s1_subscribers",
  "s1_p50_ms",
  "s1_p99_ms",
  "s1_kb_per_subscriber",
  "relay_events_per_s",
  "s1_delivered",
  "s1_expected",
  "s1_gateway_cpu_us_per_delivery",
  "s1_clients_cpu_us_per_delivery",
] as const;

const log = (message: string) => process.stderr.write(`${message}\n`);

interface Measurement {
  round: number;
  connections: number;
  /** The gateways: their event loop and GC over the load, from their own GET /metrics. */
  runtime?: Runtime;
  scenario: ScenarioName;
  server: ServerName;
  result: LoadResult;
}

function parameters() {
  const transactions = Number(options.transactions ?? DEFAULT_PARAMETERS.transactions);
  if (!Number.isInteger(transactions) || transactions < 1_000) throw new Error("--transactions must be an integer of at least 1000.");
  for (const [name, value] of [["seconds", SECONDS], ["rounds", ROUNDS], ["connections", CONNECTIONS], ["low-connections", LOW_CONNECTIONS]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer.`);
  }
  return { ...DEFAULT_PARAMETERS, transactions };
}

/** A gateway's event-loop delay since its previous scrape (prom-client resets it) and its GC time so far. */
interface Runtime {
  loopP99Ms: number;
  loopMaxMs: number;
  gcSeconds: number;
  /** The process's CPU time (user + system), read from the same /metrics. */
  cpuSeconds: number;
}

/**
 * The server's CPU time per answered request during one load (µs). On a shared 2-core machine it moves less than
 * requests per second, which also depend on how much CPU the database and the load generator took in that second.
 */
function cpuPerRequest(runtime: Runtime, result: LoadResult): number {
  return result.completed > 0 ? (runtime.cpuSeconds * 1e6) / result.completed : Number.NaN;
}

async function runtimeOf(server: HttpServer): Promise<Runtime | undefined> {
  if (!server.metricsToken) return undefined;
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.metricsToken}` } });
  if (!response.ok) return undefined;
  const text = await response.text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, "m").exec(text)?.[1] ?? Number.NaN);
  const gcSeconds = [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} ([0-9.e+-]+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { loopP99Ms: value("nodejs_eventloop_lag_p99_seconds") * 1000, loopMaxMs: value("nodejs_eventloop_lag_max_seconds") * 1000, gcSeconds, cpuSeconds: value("process_cpu_seconds_total") };
}

/** The same database through the proxy that counts this server's statements. */
function viaProxy(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(port);
  return parsed.toString();
}

async function send(baseUrl: string, request: LoadRequest): Promise<unknown> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...request.headers },
    body: request.body.replace("__KEY__", `check-${randomBytes(6).toString("hex")}`),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${request.path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Every variant of every read scenario must give the same answer on every server before anything is measured. */
async function checkAnswers(scenarios: Scenario[], urls: Record<ServerName, string>): Promise<void> {
  for (const scenario of scenarios.filter((s) => s.name !== "m1")) {
    if (scenario.variants.length === 0) throw new Error(`${scenario.name}: the dataset gave no request to ask`);
    let rows = 0;
    for (const [index, variant] of scenario.variants.entries()) {
      const answers = new Map<ServerName, unknown>();
      for (const server of scenario.servers) {
        try {
          answers.set(server, variant.normalize[server]!(await send(urls[server], variant.requests[server]!)));
        } catch (error) {
          throw new Error(`${scenario.name} request ${index} on ${server}: ${(error as Error).message}`);
        }
      }
      const reference = answers.get("floor");
      for (const [server, answer] of answers) {
        if (!isDeepStrictEqual(answer, reference)) {
          throw new Error(`${scenario.name} request ${index}: ${server} answers differently from the floor:\n${JSON.stringify(answer).slice(0, 800)}\n${JSON.stringify(reference).slice(0, 800)}`);
        }
      }
      rows += Array.isArray(reference) ? reference.length : 1;
    }
    log(`  ${scenario.name}: ${scenario.variants.length} requests answered alike on ${scenario.servers.join(", ")} (${rows} rows)`);
  }
}

/** A capture on the gateway and one on the floor must each add one unit and exactly one capture operation. */
async function checkCaptures(client: pg.Client, m1: Scenario, urls: Record<ServerName, string>): Promise<void> {
  const variant = m1.variants[0];
  if (!variant) throw new Error("m1: the dataset has no capture pool");
  const capturedAmount = async () => {
    const id = (JSON.parse(variant.requests.floor!.body) as { transactionId: string }).transactionId;
    return Number((await client.query(`SELECT "capturedAmount" FROM "Transaction" WHERE id = $1`, [id])).rows[0].capturedAmount);
  };
  for (const server of m1.servers) {
    const before = await capturedAmount();
    const operations = await captureOperationCount(client);
    const answer = variant.normalize[server]!(await send(urls[server], variant.requests[server]!)) as { status: string };
    if (answer.status !== "CAPTURED" || (await capturedAmount()) !== before + 1 || (await captureOperationCount(client)) !== operations + 1) {
      throw new Error(`m1 on ${server}: the capture did not add exactly one unit and one operation (${JSON.stringify(answer)})`);
    }
  }
  log(`  m1: a capture on ${m1.servers.join(" and ")} each added one unit and one capture operation`);
}

type StatementsPerRequest = Partial<Record<`${ScenarioName} ${ServerName}`, number>>;

/** How many requests of each scenario a counting pass sends to each server, one at a time. */
const COUNTED_REQUESTS = 20;
/** Counting passes; each scenario's figure is the least any pass saw. */
const COUNTING_PASSES = 3;
/** Long enough to see the gateway's background jobs (the shortest runs every 2 s) at work. */
const IDLE_WINDOW_MS = 4_000;

/**
 * SQL statements per request, counted on the wire while requests go one at a time, so nothing is in flight when the
 * counts are read. The gateway's background jobs (the outbox and webhook polls, pool checks) also send statements, in
 * bursts: subtracting their average rate still left a burst that fell inside a pass of twenty fast requests counted as
 * 0.6 statements per request. Background work only ever adds, so the pass is repeated and the least count is taken:
 * one pass with no burst in it is the request's own figure. The idle rate is printed to show what was left out.
 */
async function countStatements(scenarios: Scenario[], urls: Record<ServerName, string>, proxies: CountingProxies): Promise<StatementsPerRequest> {
  const idleStart = await proxies.counts();
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  const idleEnd = await proxies.counts();
  const idlePerS = SERVERS.map((server) => `${server} ${(((statementsOf(idleEnd[server]!) - statementsOf(idleStart[server]!)) / IDLE_WINDOW_MS) * 1000).toFixed(2)}/s`);
  log(`Counting statements (${COUNTING_PASSES} passes of ${COUNTED_REQUESTS} requests per scenario and server, one at a time, the least pass kept; idle background: ${idlePerS.join(", ")})`);
  const counted: StatementsPerRequest = {};
  for (let pass = 0; pass < COUNTING_PASSES; pass++) {
    for (const scenario of scenarios) {
      for (const server of scenario.servers) {
        const requests = scenario.variants.slice(0, COUNTED_REQUESTS).map((variant) => variant.requests[server]!);
        const before = (await proxies.counts())[server]!;
        for (const request of requests) await send(urls[server], request);
        const after = (await proxies.counts())[server]!;
        const key = `${scenario.name} ${server}` as const;
        counted[key] = Math.min(counted[key] ?? Number.POSITIVE_INFINITY, (statementsOf(after) - statementsOf(before)) / requests.length);
      }
    }
  }
  return counted;
}

/** Quiet time that tells a server has finished the requests still in flight when a load stopped. */
const SETTLE_QUIET_MS = 300;
const SETTLE_LIMIT_MS = 30_000;

/**
 * Waits until the database runs none of the servers' statements: requests cut off when a load stops still run to the
 * end, and must neither burden the next server's load nor be counted as its writes. The servers are connected
 * straight to PostgreSQL while they are timed, so PostgreSQL's own view of its sessions tells.
 */
async function settle(client: pg.Client, server: ServerName): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ busy: number }>(
      "SELECT count(*)::int AS busy FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
    );
    if (rows[0]!.busy === 0) return;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_QUIET_MS));
  }
  log(`  ${server}'s statements were still running ${SETTLE_LIMIT_MS / 1000} s after the load stopped`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round2 = (value: number) => Math.round(value * 100) / 100;

/** S1 follows one demo merchant's dashboards: a database with the demo seed, made once (`portal_feed_bench`). */
const S1_DATABASE = "portal_feed_bench";

async function ensureDemoDatabase(adminUrl: string): Promise<string> {
  const url = databaseUrlWithName(adminUrl, S1_DATABASE);
  const seeded = await withClient(adminUrl, async (client) => (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [S1_DATABASE])).rowCount === 1)
    .then((exists) => exists && withClient(url, async (client) => (await client.query(`SELECT 1 FROM "Merchant" WHERE name = 'Fjordkaffe AS'`)).rowCount === 1))
    .catch(() => false);
  if (seeded) return url;
  log(`S1: creating ${S1_DATABASE} with the demo seed`);
  await dropDatabase(adminUrl, S1_DATABASE);
  await createDatabase(adminUrl, S1_DATABASE);
  await applyMigrations(url);
  const prisma = createPrisma(url);
  try {
    await seedDemoData(prisma, { encryptionKey: randomBytes(32) });
  } finally {
    await prisma.$disconnect();
  }
  return url;
}

/** S1 against the gateway, then against its floor (bench/s1-floor.ts), same subscribers and rate: `s1_floor_*` beside. */
async function runS1WithFloor(databaseUrl: string): Promise<Record<string, number | null>> {
  const gateway = await runS1(databaseUrl);
  const floor = await runS1(databaseUrl, true);
  return {
    ...gateway,
    s1_floor_p50_ms: floor.s1_p50_ms,
    s1_floor_p99_ms: floor.s1_p99_ms,
    s1_floor_cpu_us_per_delivery: floor.s1_gateway_cpu_us_per_delivery,
    s1_floor_clients_cpu_us_per_delivery: floor.s1_clients_cpu_us_per_delivery,
    s1_p99_vs_floor: gateway.s1_p99_ms !== null && floor.s1_p99_ms ? Math.round((gateway.s1_p99_ms / floor.s1_p99_ms) * 100) / 100 : null,
  };
}

async function runS1(databaseUrl: string, floor = false): Promise<Record<(typeof S1_KEYS)[number], number | null>> {
  const missing = Object.fromEntries(S1_KEYS.map((key) => [key, null])) as Record<(typeof S1_KEYS)[number], number | null>;
  if (!existsSync(S1_SCRIPT)) {
    log("S1 not available (bench/s1-live-feed.ts does not exist yet)");
    return missing;
  }
  const args = ["--import", "tsx", S1_SCRIPT, "--database-url", databaseUrl];
  if (options.subscribers) args.push("--subscribers", options.subscribers);
  if (QUICK) args.push("--quick");
  if (floor) args.push("--floor");
  log(`S1: ${path.relative(projectRoot, S1_SCRIPT)} ${args.slice(3).join(" ").replace(databaseUrl, "<url>")}`);
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    const figures = JSON.parse(last) as Record<string, unknown>;
    if (code !== 0) process.exitCode = 1;
    return Object.fromEntries(S1_KEYS.map((key) => [key, typeof figures[key] === "number" ? figures[key] : null])) as typeof missing;
  } catch {
    log(`S1 failed (exit ${code}); its last line was not JSON: ${last.slice(0, 200)}`);
    process.exitCode = 1;
    return missing;
  }
}

async function main(): Promise<void> {
  const datasetParameters = parameters();
  const started = Date.now();
  const running: Stoppable[] = [];
  const postgres = await localOrEmbeddedPostgres(path.join(projectRoot, ".data", "bench-postgres"), 54331, log);
  running.push({ name: "PostgreSQL", stop: postgres.stop });
  try {
    const dataset = await ensureDataset(postgres.adminUrl, options.database!, datasetParameters, log);
    await ensurePostgraphileInstalled(log);
    const target = new URL(dataset.url);
    const proxies = await startProxies({ host: target.hostname, port: Number(target.port || 5432) }, SERVERS);
    running.unshift(proxies);
    const tokens = await createTokenMinter();
    const encryptionKey = randomBytes(32).toString("base64");

    /** The servers, each in a process of its own, connected to `databaseUrl(server)`. */
    const startServers = async (databaseUrl: (server: ServerName) => string) => {
      const [gateway, postgraphile, floor] = await Promise.all([
        startGatewayProcess({ databaseUrl: databaseUrl("gateway"), encryptionKey, signingKeyPem: tokens.signingKeyPem }),
        startPostgraphile(databaseUrl("postgraphile"), POOL_SIZE),
        startFloor(databaseUrl("floor"), POOL_SIZE),
      ]);
      const baseline = BASELINE
        ? await startGatewayProcess({ databaseUrl: databaseUrl("baseline"), encryptionKey, signingKeyPem: tokens.signingKeyPem, root: BASELINE, name: "baseline", env: BASELINE_ENV })
        : null;
      const started = [gateway, postgraphile, floor, ...(baseline ? [baseline] : [])];
      running.unshift(...started);
      const servers: Record<ServerName, HttpServer> = { gateway, postgraphile, floor, baseline: baseline ?? gateway };
      const urls = { gateway: gateway.url, postgraphile: postgraphile.url, floor: floor.url, baseline: baseline?.url ?? gateway.url };
      const stop = async () => {
        for (const server of started) {
          await server.stop();
          running.splice(running.indexOf(server), 1);
        }
      };
      return { servers, urls, stop };
    };

    let statements: StatementsPerRequest = {};
    const measurements = await withClient(dataset.url, async (client) => {
      await resetCapturePool(client);
      const only = options.only?.split(",");
      const scenarios = (await buildScenarios(client, tokens)).filter((s) => !only || only.includes(s.name));
      if (BASELINE) for (const scenario of scenarios) withBaseline(scenario);

      // Answers are checked and statements counted with each server behind its counting proxy; the loads are timed
      // with the servers connected straight to PostgreSQL, so the proxy's work (a process relaying every byte, on the
      // same two cores) burdens no server's figures.
      log("Starting the gateway (production mode), PostGraphile and the floor behind the counting proxies");
      const counted = await startServers((server) => viaProxy(dataset.url, proxies.ports[server]!));
      log("Checking that the servers give the same answers");
      await checkAnswers(scenarios, counted.urls);
      const m1 = scenarios.find((s) => s.name === "m1");
      if (m1) await checkCaptures(client, m1, counted.urls);
      statements = await countStatements(scenarios, counted.urls, proxies);
      await counted.stop();
      await proxies.stop();
      running.splice(running.indexOf(proxies), 1);

      log("Starting them again, connected straight to PostgreSQL, for the timed loads");
      const { servers } = await startServers(() => dataset.url);
      const load = await startLoadGenerator();
      running.unshift(load);

      const runId = Date.now().toString(36);
      const loadSpec = (scenario: Scenario, server: ServerName, seconds: number, tag: string, connections = CONNECTIONS) => ({
        baseUrl: servers[server].url,
        connections,
        seconds,
        requests: scenario.variants.map((variant) => variant.requests[server]!),
        keyPrefix: `${runId}-${tag}-${server}`,
      });
      log(`Warming up (${WARMUP_SECONDS} s per scenario and server)`);
      for (const scenario of scenarios) {
        for (const server of scenario.servers) {
          await load.run(loadSpec(scenario, server, WARMUP_SECONDS, `w-${scenario.name}`));
          await settle(client, server);
        }
      }

      log(`Measuring: ${ROUNDS} rounds, ${SECONDS} s per scenario and server, ${CONNECTIONS} connections`);
      const measured: Measurement[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const scenario of scenarios) {
          const order = scenario.servers.map((_, i) => scenario.servers[(i + round - 1) % scenario.servers.length]!);
          const loads = [...order.map((server) => ({ server, connections: CONNECTIONS })), ...(scenario.name === "q1" && LOW_CONNECTIONS !== CONNECTIONS ? order.map((server) => ({ server, connections: LOW_CONNECTIONS })) : [])];
          for (const { server, connections } of loads) {
            const capturesBefore = scenario.name === "m1" ? await captureOperationCount(client) : 0;
            const before = await runtimeOf(servers[server]);
            const result = await load.run(loadSpec(scenario, server, SECONDS, `r${round}-${scenario.name}-${connections}`, connections));
            const after = await runtimeOf(servers[server]);
            const runtime = before && after ? { ...after, gcSeconds: after.gcSeconds - before.gcSeconds, cpuSeconds: after.cpuSeconds - before.cpuSeconds } : undefined;
            await settle(client, server);
            if (result.completed === 0) {
              result.errors++;
              result.firstError ??= `no answer within ${SECONDS} s`;
            }
            if (scenario.name === "m1") {
              // Requests cut off when the load stopped have committed by now; anything else means lost or duplicated writes.
              const written = (await captureOperationCount(client)) - capturesBefore;
              if (written < result.completed || written > result.completed + CONNECTIONS) {
                result.errors++;
                result.firstError ??= `${written} captures written for ${result.completed} successful answers`;
              }
            }
            measured.push({ round, connections, scenario: scenario.name, server, result, ...(runtime ? { runtime } : {}) });
            log(
              `  round ${round} ${scenario.name} ${server.padEnd(12)}${connections === CONNECTIONS ? "" : ` at ${connections}`} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50
                .toFixed(1)
                .padStart(6)} ms  p99 ${result.p99.toFixed(1).padStart(6)} ms${runtime ? `  event loop p99 ${runtime.loopP99Ms.toFixed(1)} ms max ${runtime.loopMaxMs.toFixed(0)} ms, GC ${((runtime.gcSeconds / SECONDS) * 100).toFixed(1)} % of the load, CPU ${cpuPerRequest(runtime, result).toFixed(0)} µs/req` : ""}${result.errors ? `  ${result.errors} errors: ${result.firstError}` : ""}`,
            );
          }
        }
      }
      for (const server of [load, ...new Set(Object.values(servers))]) {
        await server.stop();
        running.splice(running.indexOf(server), 1);
      }
      return measured;
    });

    const s1 = options["skip-s1"] ? {} : await runS1WithFloor(await ensureDemoDatabase(postgres.adminUrl));
    log("E1: transaction exports over the dataset");
    const e1 = await runExportScenario(dataset.url, QUICK, log);
    const report = summarise(measurements, statements, { ...s1, ...e1 });
    report.postgraphile_version = postgraphileVersion();
    report.transactions = datasetParameters.transactions;
    report.dataset_generated = dataset.generated;
    report.minutes = round2((Date.now() - started) / 60_000);
    printTable(measurements, statements);
    if (measurements.some((m) => m.result.errors > 0)) process.exitCode = 1;
    console.log(JSON.stringify(report));
  } finally {
    for (const server of running) await server.stop().catch((error: Error) => log(`Stopping ${server.name} failed: ${error.message}`));
  }
}

/** The baseline gateway is asked what the gateway is asked, right after it. */
function withBaseline(scenario: Scenario): void {
  scenario.servers.splice(scenario.servers.indexOf("gateway") + 1, 0, "baseline");
  for (const variant of scenario.variants) {
    variant.requests.baseline = variant.requests.gateway;
    variant.normalize.baseline = variant.normalize.gateway;
  }
}

type Report = Record<string, number | string | boolean | null>;

function summarise(measurements: Measurement[], statements: StatementsPerRequest, s1: Record<string, number | null>): Report {
  const report: Report = {};
  const of = (scenario: ScenarioName, server: ServerName, connections = CONNECTIONS) =>
    measurements.filter((m) => m.scenario === scenario && m.server === server && m.connections === connections);
  /**
   * The gateway's figure over the peer's, the median of the ratio within each round. `figure` defaults to requests
   * per second; for CPU it is requests per CPU second, so above 1 the gateway does less per request.
   */
  const ratio = (scenario: ScenarioName, peer: ServerName, figure: (m: Measurement) => number = (m) => m.result.requestsPerSecond) => {
    const ratios = of(scenario, "gateway").flatMap((g) => {
      const p = of(scenario, peer).find((m) => m.round === g.round);
      const value = p ? figure(g) / figure(p) : Number.NaN;
      return Number.isFinite(value) ? [value] : [];
    });
    return ratios.length ? round2(median(ratios)) : null;
  };
  const requestsPerCpuSecond = (m: Measurement) => (m.runtime ? 1 / cpuPerRequest(m.runtime, m.result) : Number.NaN);
  for (const scenario of ["q1", "q2", "q3", "m1"] as const) {
    if (scenario !== "m1") report[`${scenario}_vs_postgraphile`] = ratio(scenario, "postgraphile");
    if (BASELINE) {
      report[`${scenario}_vs_baseline`] = ratio(scenario, "baseline");
      report[`${scenario}_cpu_vs_baseline`] = ratio(scenario, "baseline", requestsPerCpuSecond);
    }
    report[`${scenario}_vs_floor`] = ratio(scenario, "floor");
    for (const server of SERVERS) {
      const runs = of(scenario, server);
      if (runs.length === 0) continue;
      const prefix = server === "gateway" ? scenario : `${scenario}_${server}`;
      report[`${prefix}_rps`] = Math.round(median(runs.map((m) => m.result.requestsPerSecond)));
      report[`${prefix}_p50_ms`] = round2(median(runs.map((m) => m.result.p50)));
      report[`${prefix}_p99_ms`] = round2(median(runs.map((m) => m.result.p99)));
      report[`${prefix}_sql_per_request`] = round2(statements[`${scenario} ${server}`] ?? Number.NaN);
      const runtimes = runs.flatMap((m) => (m.runtime ? [m.runtime] : []));
      if (runtimes.length) {
        report[`${prefix}_event_loop_p99_ms`] = round2(median(runtimes.map((r) => r.loopP99Ms)));
        report[`${prefix}_gc_percent`] = round2(median(runtimes.map((r) => (r.gcSeconds / SECONDS) * 100)));
        report[`${prefix}_cpu_us_per_request`] = Math.round(median(runs.flatMap((m) => (m.runtime ? [cpuPerRequest(m.runtime, m.result)] : []))));
      }
      const low = of(scenario, server, LOW_CONNECTIONS);
      if (LOW_CONNECTIONS === CONNECTIONS || low.length === 0) continue;
      report[`${prefix}_rps_at_${LOW_CONNECTIONS}`] = Math.round(median(low.map((m) => m.result.requestsPerSecond)));
      report[`${prefix}_p50_ms_at_${LOW_CONNECTIONS}`] = round2(median(low.map((m) => m.result.p50)));
      report[`${prefix}_p99_ms_at_${LOW_CONNECTIONS}`] = round2(median(low.map((m) => m.result.p99)));
    }
  }
  Object.assign(report, s1);
  report.connections = CONNECTIONS;
  report.low_connections = LOW_CONNECTIONS;
  report.seconds = SECONDS;
  report.rounds = ROUNDS;
  report.errors = measurements.reduce((sum, m) => sum + m.result.errors, 0);
  return report;
}

function printTable(measurements: Measurement[], statements: StatementsPerRequest): void {
  const rows = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const name = `${m.scenario} ${m.server}${m.connections === CONNECTIONS ? "" : ` @${m.connections}`}`;
    rows.set(name, [...(rows.get(name) ?? []), m]);
  }
  log("");
  log(`${"scenario server".padEnd(22)}${"req/s".padStart(8)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"SQL/req".padStart(9)}  (medians over rounds; SQL/req counted one at a time)`);
  for (const [name, runs] of rows) {
    log(
      `${name.padEnd(22)}${median(runs.map((m) => m.result.requestsPerSecond)).toFixed(0).padStart(8)}${median(runs.map((m) => m.result.p50))
        .toFixed(1)
        .padStart(9)}${median(runs.map((m) => m.result.p99)).toFixed(1).padStart(9)}${(name in statements ? statements[name as keyof StatementsPerRequest]!.toFixed(2) : "-").padStart(9)}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * `npm run bench`: load-tests a real gateway on a real, seeded PostgreSQL with autocannon and prints every
 * scenario as a ratio to a baseline measured in the same run (GET /healthz: HTTP plus one SELECT 1), because
 * absolute figures on a shared 2-core machine mean little. Loopback only; bounded in time.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { loadConfig, projectRoot } from "../src/config";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../src/db/admin";
import { localOrEmbeddedPostgres } from "../src/db/embedded";
import { startGateway } from "../src/server";
import type { Persona } from "../src/seed";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Scenario {
  name: string;
  method?: "GET" | "POST";
  path: string;
  token?: string;
  query?: string;
  variables?: Record<string, unknown>;
}

interface Measured {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(baseUrl: string, scenario: Scenario): Promise<Measured> {
  const result = await autocannon({
    url: `${baseUrl}${scenario.path}`,
    method: scenario.method ?? "GET",
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...(scenario.token ? { authorization: `Bearer ${scenario.token}` } : {}),
    },
    ...(scenario.query ? { body: JSON.stringify({ query: scenario.query, variables: scenario.variables ?? {} }) } : {}),
  });
  return {
    name: scenario.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function login(baseUrl: string, persona: Persona): Promise<string> {
  const response = await fetch(`${baseUrl}/auth/dev/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nin: persona.nin, method: persona.method }),
  });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

const PAGE = `query($first: Int!, $filter: TransactionFilter) { transactions(first: $first, filter: $filter) {
  edges { node { id status amount capturedAmount refundedAmount currency reference createdAt salesUnit { id msn name merchant { id name } } } }
  pageInfo { hasNextPage endCursor } } }`;

async function main() {
  const scratch = mkdtempSync(path.join(tmpdir(), "portal-bench-"));
  const server = await localOrEmbeddedPostgres(path.join(projectRoot, ".data", "bench-postgres"), 54331);
  const { adminUrl } = server;
  const database = `portal_bench_${process.pid}`;
  await createDatabase(adminUrl, database);
  const personasPath = path.join(scratch, "personas.json");
  const config = loadConfig({
    DATABASE_URL: databaseUrlWithName(adminUrl, database),
    PORT: "0",
    DEV_LOGIN: "true",
    SEED_DEMO_DATA: "true",
    PERSONAS_PATH: personasPath,
    DATA_DIR: scratch,
    LOG_LEVEL: "warn",
    // The benchmarks measure throughput from one address and one token: the abuse limits would measure themselves.
    RATE_LIMIT_PER_MINUTE: "100000000",
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000000",
  });
  const gateway = await startGateway(config);
  try {
    const personas = JSON.parse(readFileSync(personasPath, "utf8")) as Persona[];
    const byKey = (key: string) => personas.find((p) => p.key === key)!;
    const admin = await login(gateway.url, byKey("no-admin"));
    const assistant = await login(gateway.url, byKey("no-assistant"));
    const scenarios: Scenario[] = [
      { name: "baseline: GET /healthz", path: "/healthz" },
      { name: "viewer (token + principal)", method: "POST", path: "/graphql", token: admin, query: "{ viewer { kind label } }" },
      { name: "50 transactions + unit + merchant (Administrator)", method: "POST", path: "/graphql", token: admin, query: PAGE, variables: { first: 50 } },
      { name: "50 transactions (Assistant, unit-filtered)", method: "POST", path: "/graphql", token: assistant, query: PAGE, variables: { first: 50 } },
      { name: "50 transactions, status + free-text filter", method: "POST", path: "/graphql", token: admin, query: PAGE, variables: { first: 50, filter: { status: ["CAPTURED"], search: "order" } } },
      { name: "sales units list (20)", method: "POST", path: "/graphql", token: admin, query: "{ salesUnits(first: 20) { totalCount nodes { id msn name status } } }" },
    ];
    console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per scenario, loopback`);
    const results: Measured[] = [];
    for (const scenario of scenarios) {
      const measured = await measure(gateway.url, scenario);
      results.push(measured);
      process.stdout.write(`  measured ${scenario.name}\n`);
    }
    const baseline = results[0]!;
    console.log("");
    console.log("scenario".padEnd(52), "req/s".padStart(9), "× base".padStart(8), "p50 ms".padStart(8), "p99 ms".padStart(8), "p99 × base".padStart(11), "errors".padStart(7));
    for (const r of results) {
      console.log(
        r.name.padEnd(52),
        r.requestsPerSecond.toFixed(0).padStart(9),
        (r.requestsPerSecond / baseline.requestsPerSecond).toFixed(2).padStart(8),
        r.p50.toFixed(1).padStart(8),
        r.p99.toFixed(1).padStart(8),
        (r.p99 / Math.max(baseline.p99, 0.1)).toFixed(1).padStart(11),
        String(r.errors).padStart(7),
      );
    }
    if (results.some((r) => r.errors > 0)) process.exitCode = 1;
  } finally {
    await gateway.stop();
    await dropDatabase(adminUrl, database);
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

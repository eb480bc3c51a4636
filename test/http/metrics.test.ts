/** GET /metrics: Prometheus text scraped over real HTTP after real requests, parsed and read back. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_OPERATION_NAMES } from "../../src/metrics/metrics";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { collect, connect, latestCursor, waitFor, type Connection } from "../events/support";

const METRICS_TOKEN = "metrics-token-for-the-test-0123456789";
let gateway: TestGateway;
let connection: Connection | null = null;

beforeAll(async () => {
  gateway = await startTestGateway({ METRICS_TOKEN, LOGIN_FAILURE_LIMIT: "1", RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "400" });
});
afterAll(async () => {
  await connection?.dispose();
  await gateway?.stop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text exposition format prom-client writes: `name{label="value",…} number` lines and `#` comments. */
function parse(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await response.text());
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function values(samples: Sample[], name: string): Sample[] {
  return samples.filter((s) => s.name === name);
}

describe("GET /metrics", () => {
  it("refuses a scrape without the METRICS_TOKEN bearer, and one with another token", async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/metrics`, { headers: { authorization: "Bearer not-the-metrics-token-at-all" } })).status).toBe(401);
  });

  it("is absent in production without METRICS_TOKEN and open outside production without it", async () => {
    const open = await startTestGateway({}, { sharing: gateway });
    const production = await startTestGateway({ NODE_ENV: "production", DEV_LOGIN: "false", PUBLIC_BASE_URL: "https://portal.example" }, { sharing: gateway });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${production.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${production.url}/healthz`)).status).toBe(200);
    } finally {
      await open.stop();
      await production.stop();
    }
  });

  it("counts GraphQL operations per name with their latency, and errors by code", async () => {
    const token = await gateway.token("no-admin");
    for (let i = 0; i < 3; i++) expect((await gateway.graphql(token, "query MetricsViewer { viewer { kind } }")).status).toBe(200);
    await gateway.graphql(token, "{ viewer { kind } }");
    await gateway.graphql(token, "query MetricsBroken { viewer { noSuchField } }");
    await gateway.graphql(null, "query MetricsAnonymous { salesUnits(first: 1) { totalCount } }");

    const samples = await scrape();
    expect(value(samples, "portal_graphql_operations_total", { operation: "MetricsViewer", type: "query", transport: "http" })).toBe(3);
    expect(value(samples, "portal_graphql_operation_duration_seconds_count", { operation: "MetricsViewer", type: "query" })).toBe(3);
    expect(value(samples, "portal_graphql_operation_duration_seconds_bucket", { operation: "MetricsViewer", le: "+Inf" })).toBe(3);
    expect(value(samples, "portal_graphql_operations_total", { operation: "anonymous", type: "query" })).toBeGreaterThanOrEqual(1);
    // Names that never ran for a principal are not kept as labels of their own (see the next test).
    expect(value(samples, "portal_graphql_errors_total", { operation: "other", code: "GRAPHQL_VALIDATION_FAILED" })).toBe(1);
    expect(value(samples, "portal_graphql_errors_total", { operation: "other", code: "UNAUTHENTICATED" })).toBe(1);
    expect(values(samples, "portal_graphql_errors_total").some((s) => s.labels.operation === "MetricsBroken" || s.labels.operation === "MetricsAnonymous")).toBe(false);
  });

  it("keeps a new operation name as a label only once a principal's operation under it ran, so nobody can fill the labels without a login", async () => {
    for (let i = 0; i < 5; i++) await gateway.graphql(null, `query Junk${i} { viewer { kind } }`);
    // Money mutations the fast lane could learn: not from anonymous callers either.
    for (let i = 0; i < 5; i++) {
      await gateway.graphql(null, `mutation JunkCapture${i}($input: CaptureTransactionInput!) { captureTransaction(input: $input) { __typename } }`, {
        input: { transactionId: "VHJhbnNhY3Rpb246MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw", amount: 1, idempotencyKey: `junk-capture-${i}` },
      });
    }
    const token = await gateway.token("no-admin");
    for (let i = 0; i < 5; i++) await gateway.graphql(token, `query JunkInvalid${i} { viewer { noSuchField } }`);
    expect((await gateway.graphql(token, "query AfterJunk { viewer { kind } }")).status).toBe(200);
    // A name kept once is kept for the operation's failures too.
    await gateway.graphql(token, "query AfterJunk { viewer { noSuchField } }");
    const samples = await scrape();
    const names = new Set(values(samples, "portal_graphql_operations_total").map((s) => s.labels.operation));
    expect([...names].filter((name) => name!.startsWith("Junk"))).toEqual([]);
    expect(value(samples, "portal_graphql_operations_total", { operation: "AfterJunk", type: "query", transport: "http" })).toBe(2);
    expect(value(samples, "portal_graphql_errors_total", { operation: "AfterJunk", code: "GRAPHQL_VALIDATION_FAILED" })).toBe(1);
  });

  it("counts the plain routes by route pattern, method and status, not by the path a client sent", async () => {
    for (let i = 0; i < 2; i++) await fetch(`${gateway.url}/healthz`);
    await fetch(`${gateway.url}/qr/${crypto.randomUUID()}.svg`);
    await fetch(`${gateway.url}/no/such/path/${crypto.randomUUID()}`);
    const samples = await scrape();
    expect(value(samples, "portal_http_requests_total", { route: "/healthz", method: "GET", status: "200" })).toBeGreaterThanOrEqual(2);
    expect(value(samples, "portal_http_request_duration_seconds_count", { route: "/healthz", method: "GET" })).toBeGreaterThanOrEqual(2);
    expect(value(samples, "portal_http_requests_total", { route: "/qr/:file", method: "GET" })).toBe(1);
    expect(value(samples, "portal_http_requests_total", { route: "unmatched", method: "GET" })).toBeGreaterThanOrEqual(1);
    expect(values(samples, "portal_http_requests_total").every((s) => !s.labels.route!.includes("no/such"))).toBe(true);
  });

  it(`keeps at most ${MAX_OPERATION_NAMES} operation names as labels; the rest count together as "other"`, async () => {
    const token = await gateway.token("no-admin");
    for (let i = 0; i < MAX_OPERATION_NAMES + 5; i++) await gateway.graphql(token, `query Flood${i} { viewer { kind } }`);
    const samples = await scrape();
    const names = new Set(values(samples, "portal_graphql_operations_total").map((s) => s.labels.operation));
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 2);
    expect(names.has(`Flood${MAX_OPERATION_NAMES + 4}`)).toBe(false);
    expect(value(samples, "portal_graphql_operations_total", { operation: "other", type: "query" })).toBeGreaterThanOrEqual(5);
  });

  it("counts rate-limit refusals by limit name", async () => {
    const partner = gateway.persona("partner");
    const attempt = () => fetch(`${gateway.url}/accesstoken/get`, { method: "POST", headers: { client_id: partner.clientId!, client_secret: "wrong", "Ocp-Apim-Subscription-Key": partner.subscriptionKey! } });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(429);
    const samples = await scrape();
    expect(value(samples, "portal_rate_limit_refusals_total", { limit: "loginFailures" })).toBe(1);
  });

  it("reports database pools, outbox lag, live connections and subscriptions, job and report state, and the process", async () => {
    connection = connect(gateway.url, await gateway.token("no-admin"));
    const subscriber = collect(connection, { after: await latestCursor(gateway.services.db) });
    await waitFor("the subscription to be live", () => gateway.services.events.feed.size === 1);

    const samples = await scrape();
    expect(subscriber.errors).toEqual([]);
    for (const pool of ["prisma", "live_events", "compiled_reads"]) {
      expect(value(samples, "portal_db_pool_connections", { pool, state: "total" })).toBeGreaterThanOrEqual(1);
      expect(value(samples, "portal_db_pool_connections", { pool, state: "waiting" })).toBe(0);
    }
    expect(value(samples, "portal_outbox_lag_up")).toBe(1);
    expect(value(samples, "portal_outbox_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(value(samples, "portal_live_connections", { transport: "websocket" })).toBe(1);
    expect(value(samples, "portal_live_connections", { transport: "sse" })).toBe(0);
    expect(value(samples, "portal_live_subscriptions")).toBe(1);
    expect(value(samples, "portal_graphql_operations_total", { type: "subscription", transport: "websocket" })).toBe(1);
    for (const outcome of ["sent", "skipped", "failed"]) expect(value(samples, "portal_report_deliveries_total", { outcome })).toBe(0);
    expect(value(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});

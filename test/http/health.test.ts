/** Liveness and readiness: /healthz says the process serves HTTP, /readyz whether this instance can do its work. */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sequencePending } from "../../src/events/relay";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
let withoutRelay: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
  // No relay of its own, so an event stays unnumbered until the test numbers it.
  withoutRelay = await startTestGateway({ OUTBOX_RELAY: "false", READY_MAX_RELAY_LAG_MS: "5000" });
});
afterAll(async () => {
  await gateway?.stop();
  await withoutRelay?.stop();
});

const probe = async (base: string, path: string) => {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as { status: string; checks?: Record<string, { ok: boolean; reason?: string; lagSeconds?: number }> } };
};

describe("GET /healthz", () => {
  it("answers ok", async () => {
    expect(await probe(gateway.url, "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
  });
});

describe("GET /readyz", () => {
  it("is ready when the database answers and the relay keeps up, without a Redis check when none is configured", async () => {
    const { status, body } = await probe(gateway.url, "/readyz");
    expect(status).toBe(200);
    expect(body.status).toBe("ready");
    expect(body.checks).toEqual({ database: { ok: true }, relay: { ok: true, lagSeconds: expect.any(Number) } });
  });

  it("turns red while a committed event waits for the relay longer than READY_MAX_RELAY_LAG_MS, and green once it is numbered", async () => {
    const db = withoutRelay.services.db;
    await db.outboxEvent.create({
      data: { type: "PROBE", aggregateType: "Probe", aggregateId: "00000000-0000-4000-8000-000000000000", payload: {}, createdAt: new Date(Date.now() - 60_000) },
    });
    const red = await probe(withoutRelay.url, "/readyz");
    expect(red.status).toBe(503);
    expect(red.body.status).toBe("unavailable");
    expect(red.body.checks!.relay).toMatchObject({ ok: false, reason: "committed events are waiting for the outbox relay" });
    expect(red.body.checks!.relay!.lagSeconds).toBeGreaterThanOrEqual(60);
    expect(red.body.checks!.database).toEqual({ ok: true });

    const pool = new pg.Pool({ connectionString: withoutRelay.databaseUrl, max: 1 });
    try {
      while ((await sequencePending(pool)).length > 0);
    } finally {
      await pool.end();
    }
    // Probes within a second share one check.
    await expect.poll(async () => (await probe(withoutRelay.url, "/readyz")).status, { timeout: 5_000 }).toBe(200);
  });

  it("answers a flood of probes with one check a second, not a database read each", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    gateway.resetQueries();
    const answers = await Promise.all(Array.from({ length: 50 }, () => probe(gateway.url, "/readyz")));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
    const checks = gateway.queries.filter((sql) => sql.includes("SELECT 1") || sql.includes('"deliverySeq" IS NULL'));
    expect(checks.length).toBeLessThanOrEqual(4);
  });

  it("turns red while the configured Redis is unreachable", async () => {
    const cutOff = await startTestGateway({ REDIS_URL: "redis://127.0.0.1:1" }, { sharing: gateway });
    try {
      const { status, body } = await probe(cutOff.url, "/readyz");
      expect(status).toBe(503);
      expect(body.checks!.redis).toEqual({ ok: false, reason: "not connected" });
      expect(body.checks!.database).toEqual({ ok: true });
    } finally {
      await cutOff.stop();
    }
  });
});

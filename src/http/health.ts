/**
 * GET /healthz: the process is alive and serving HTTP (a liveness probe restarts it otherwise), and nothing more:
 * a database outage must not make an orchestrator restart every gateway at once.
 * GET /readyz: this instance can do its work now: the database answers, Redis is connected when configured, and
 * the outbox relay keeps up (no committed event waits longer than READY_MAX_RELAY_LAG_MS for its number). A
 * load balancer stops sending requests while it is red.
 */
import type { Services } from "../deps";
import type { Db } from "../db/client";
import { json, type RouteHandler } from "./routes";

/** A probe that waits longer than this has its answer: unavailable. */
const CHECK_TIMEOUT_MS = 2_000;

export interface Check {
  ok: boolean;
  /** Why it is not ok, in a few words. */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: Check; redis?: Check; relay: Check & { lagSeconds?: number } };
}

/** Seconds the oldest committed, unnumbered outbox event has waited (0 when none waits). */
export async function outboxLagSeconds(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ lag: number | null }[]>`
    SELECT EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - MIN("createdAt"))::float8 AS lag
    FROM "OutboxEvent" WHERE "deliverySeq" IS NULL`;
  return Math.max(0, row?.lag ?? 0);
}

export function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message.split("\n").at(-1)!.trim() : String(error));

export async function readiness(services: Pick<Services, "db" | "config" | "events">): Promise<Readiness> {
  const { db, config, events } = services;
  const database: Check = await withTimeout(db.$queryRaw`SELECT 1`).then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, reason: reasonOf(error) }),
  );
  const relay: Readiness["checks"]["relay"] = database.ok
    ? await withTimeout(outboxLagSeconds(db)).then(
        (lagSeconds) =>
          lagSeconds * 1000 > config.readyMaxRelayLagMs
            ? { ok: false, lagSeconds, reason: "committed events are waiting for the outbox relay" }
            : { ok: true, lagSeconds },
        (error: unknown) => ({ ok: false, reason: reasonOf(error) }),
      )
    : { ok: false, reason: "the database is unavailable" };
  const checks: Readiness["checks"] = { database, relay };
  if (config.redisUrl) checks.redis = events.bus.connected ? { ok: true } : { ok: false, reason: "not connected" };
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}

export function healthRoutes(services: Services): Record<string, RouteHandler> {
  return {
    "GET /healthz": () => json({ status: "ok" }, 200, { "cache-control": "no-store" }),
    "GET /readyz": async () => {
      const { ready, checks } = await readiness(services);
      return json({ status: ready ? "ready" : "unavailable", checks }, ready ? 200 : 503, { "cache-control": "no-store" });
    },
  };
}

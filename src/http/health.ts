/**
 * GET /healthz: the process is alive and serving HTTP (a liveness probe restarts it otherwise), and nothing more:
 * a database outage must not make an orchestrator restart every gateway at once.
 * GET /readyz: this instance can do its work now: the database answers, Redis is connected when configured, and
 * the outbox relay keeps up (no committed event waits longer than READY_MAX_RELAY_LAG_MS for its number). A
 * load balancer stops sending requests while it is red.
 */
import type { Services } from "../deps";
import type { Db } from "../db/client";
import { isDatabaseUnavailable } from "../db/errors";
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

class CheckTimeout extends Error {}

export function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Why a check failed, in words of our own: /readyz answers anyone, and a driver's message names the database's
 * host, port or user. The error itself is in the log.
 */
const reasonOf = (error: unknown) =>
  error instanceof CheckTimeout ? error.message : isDatabaseUnavailable(error) ? "the database is unavailable" : "the database check failed";

export async function readiness(services: Pick<Services, "db" | "config" | "events"> & Partial<Pick<Services, "logger">>): Promise<Readiness> {
  const { db, config, events } = services;
  const failed = (error: unknown) => {
    services.logger?.warn({ err: error }, "A readiness check failed");
    return { ok: false as const, reason: reasonOf(error) };
  };
  const database: Check = await withTimeout(db.$queryRaw`SELECT 1`).then(() => ({ ok: true }), failed);
  const relay: Readiness["checks"]["relay"] = database.ok
    ? await withTimeout(outboxLagSeconds(db)).then(
        (lagSeconds) =>
          lagSeconds * 1000 > config.readyMaxRelayLagMs
            ? { ok: false, lagSeconds, reason: "committed events are waiting for the outbox relay" }
            : { ok: true, lagSeconds },
        failed,
      )
    : { ok: false, reason: "the database is unavailable" };
  const checks: Readiness["checks"] = { database, relay };
  if (config.redisUrl) checks.redis = events.bus.connected ? { ok: true } : { ok: false, reason: "not connected" };
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}

/**
 * Reads that arrive together (several Prometheus servers or probes, a flood on the unthrottled /metrics and /readyz)
 * share one database read: its answer is reused for a second.
 */
export function sharedForOneSecond<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), value: read() };
    return last.value;
  };
}

export function healthRoutes(services: Services): Record<string, RouteHandler> {
  // /readyz answers anyone and no request budget applies to it: a flood of probes shares one check a second.
  const check = sharedForOneSecond(() => readiness(services));
  return {
    "GET /healthz": () => json({ status: "ok" }, 200, { "cache-control": "no-store" }),
    "GET /readyz": async () => {
      const { ready, checks } = await check();
      return json({ status: ready ? "ready" : "unavailable", checks }, ready ? 200 : 503, { "cache-control": "no-store" });
    },
  };
}

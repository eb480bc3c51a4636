/**
 * The long-lived parts every request, job and route shares. A leaf module (types and a clock only), so services,
 * HTTP routes and the event transports can name their dependencies without importing the request context.
 */
import type { Logger } from "pino";
import type { TokenService } from "./auth/tokens";
import type { Config } from "./config";
import type { Db } from "./db/client";
import type { LiveEvents } from "./events/live";
import type { PrincipalCache } from "./auth/principal-cache";
import type { RateLimits } from "./limits/rate-limits";
import type { Metrics } from "./metrics/metrics";
import type { ReportRunWork } from "./services/report-runs";

/** Runs one statement of the compiled read path (src/sql/) and answers its single text value. */
export interface SqlRunner {
  queryText(text: string, values: unknown[]): Promise<string>;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Services {
  config: Config;
  db: Db;
  tokens: TokenService;
  encryptionKey: Buffer;
  clock: Clock;
  logger: Logger;
  /** The outbox relay, fan-out and feed behind subscriptions. */
  events: LiveEvents;
  /** The compiled read path's statements (src/sql/); null when COMPILED_READS is off. */
  sql: SqlRunner | null;
  /** Principals of recent tokens, dropped on every access change; null: read on every request. */
  principals: PrincipalCache | null;
  /** Per-principal and per-address request budgets. */
  limits: RateLimits;
  /** What GET /metrics reports. */
  metrics: Metrics;
  /** This instance's report runs in flight (handed back at shutdown). */
  reportRuns: ReportRunWork;
}

/**
 * What the gateway counts for GET /metrics (Prometheus text, prom-client): requests and their latency per GraphQL
 * operation and per plain route, errors by code, database pools, outbox lag, live connections, background jobs and
 * report deliveries, rate-limit refusals, and the process itself. One registry per gateway instance (tests run
 * several in one process). Every label takes values from a bounded set: a client choosing operation names or
 * paths cannot grow the registry without end.
 */
import type pg from "pg";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Distinct operation names kept as labels; later names count as OTHER_OPERATION. */
export const MAX_OPERATION_NAMES = 100;
/** Distinct error codes kept as labels; later codes count as OTHER_CODE. */
export const MAX_ERROR_CODES = 50;
export const ANONYMOUS_OPERATION = "anonymous";
export const OTHER_OPERATION = "other";
export const OTHER_CODE = "OTHER";
/** An error without `extensions.code`. */
export const NO_CODE = "NONE";

/** A GraphQL name (the language allows nothing else) of a sensible length; anything else is not a name we keep. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,47}$/;

/** Seconds: from a cached compiled read (a millisecond) to a report download (seconds). */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Keeps the first `max` distinct values that pass `valid`; the rest fall into `other`. */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly valid: RegExp,
    private readonly other: string,
  ) {}

  /** `value` if kept; a value not kept yet is kept only when `admit` (and there is room). */
  of(value: string, admit = true): string {
    if (this.seen.has(value)) return value;
    if (!admit || !this.valid.test(value) || this.seen.size >= this.max) return this.other;
    this.seen.add(value);
    return value;
  }
}

export type OperationType = "query" | "mutation" | "subscription" | "unknown";
export type Transport = "http" | "websocket";
export type ReportOutcome = "sent" | "skipped" | "failed";

/** Samples read at scrape time from the parts that hold them. */
export interface MetricSources {
  /** The gateway's PostgreSQL pools by name. */
  pools: Record<string, pg.Pool>;
  /** Seconds the oldest committed, unnumbered outbox event has waited; rejects when the database does not answer in time. */
  outboxLagSeconds(): Promise<number>;
  /** Live streaming connections by transport. */
  liveConnections(): Record<"websocket" | "sse", number>;
  /** Live subscription operations, over every transport. */
  liveSubscriptions(): number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new BoundedLabel(MAX_OPERATION_NAMES, OPERATION_NAME, OTHER_OPERATION);
  private readonly errorCodes = new BoundedLabel(MAX_ERROR_CODES, ERROR_CODE, OTHER_CODE);
  private readonly registers = [this.registry];

  private readonly operations = new Counter({
    name: "portal_graphql_operations_total",
    help: "GraphQL operations answered, by operation name, type and transport",
    labelNames: ["operation", "type", "transport"] as const,
    registers: this.registers,
  });
  private readonly operationSeconds = new Histogram({
    name: "portal_graphql_operation_duration_seconds",
    help: "Time from receiving a GraphQL query or mutation over HTTP to its result, by operation name",
    labelNames: ["operation", "type"] as const,
    buckets: LATENCY_BUCKETS,
    registers: this.registers,
  });
  private readonly graphqlErrors = new Counter({
    name: "portal_graphql_errors_total",
    help: "Errors in GraphQL results, by extensions.code and operation name",
    labelNames: ["code", "operation"] as const,
    registers: this.registers,
  });
  private readonly httpRequests = new Counter({
    name: "portal_http_requests_total",
    help: "HTTP requests answered, by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: this.registers,
  });
  private readonly httpSeconds = new Histogram({
    name: "portal_http_request_duration_seconds",
    help: "Time from an HTTP request to its complete response, by route (event streams excluded)",
    labelNames: ["route", "method"] as const,
    buckets: LATENCY_BUCKETS,
    registers: this.registers,
  });
  private readonly rateLimitRefusals = new Counter({
    name: "portal_rate_limit_refusals_total",
    help: "Requests refused by a rate limit or connection cap, by limit name",
    labelNames: ["limit"] as const,
    registers: this.registers,
  });
  private readonly jobRuns = new Counter({
    name: "portal_job_runs_total",
    help: "Background job runs, by job and outcome (ok, failed, unavailable: the database was away)",
    labelNames: ["job", "outcome"] as const,
    registers: this.registers,
  });
  private readonly jobSeconds = new Histogram({
    name: "portal_job_duration_seconds",
    help: "Duration of background job runs",
    labelNames: ["job"] as const,
    buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120],
    registers: this.registers,
  });
  private readonly reportDeliveries = new Counter({
    name: "portal_report_deliveries_total",
    help: "Report subscription deliveries: sent, skipped (the owner lost access; the subscription was disabled) or failed (retried next pass)",
    labelNames: ["outcome"] as const,
    registers: this.registers,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of ["sent", "skipped", "failed"] as const) this.reportDeliveries.inc({ outcome }, 0);
  }

  /** Connects the samples read at scrape time; until then only counters are reported. */
  observe(sources: MetricSources): void {
    const registers = this.registers;
    new Gauge({
      name: "portal_db_pool_connections",
      help: "PostgreSQL pool connections by pool and state (total, idle, waiting: callers queued for a connection)",
      labelNames: ["pool", "state"] as const,
      registers,
      collect() {
        for (const [pool, p] of Object.entries(sources.pools)) {
          this.set({ pool, state: "total" }, p.totalCount);
          this.set({ pool, state: "idle" }, p.idleCount);
          this.set({ pool, state: "waiting" }, p.waitingCount);
        }
      },
    });
    const lagUp = new Gauge({
      name: "portal_outbox_lag_up",
      help: "1 when the outbox lag could be read at this scrape, 0 when the database did not answer in time",
      registers,
    });
    new Gauge({
      name: "portal_outbox_lag_seconds",
      help: "Seconds the oldest committed outbox event has waited for the relay to number it (0 when none waits)",
      registers,
      async collect() {
        try {
          this.set(await sources.outboxLagSeconds());
          lagUp.set(1);
        } catch {
          // A scrape during an outage still answers, without a lag sample; portal_outbox_lag_up says why.
          this.reset();
          lagUp.set(0);
        }
      },
    });
    new Gauge({
      name: "portal_live_connections",
      help: "Live streaming connections by transport (WebSocket connections, SSE streams)",
      labelNames: ["transport"] as const,
      registers,
      collect() {
        for (const [transport, count] of Object.entries(sources.liveConnections())) this.set({ transport }, count);
      },
    });
    new Gauge({
      name: "portal_live_subscriptions",
      help: "Live subscription operations over every transport",
      registers,
      collect() {
        this.set(sources.liveSubscriptions());
      },
    });
  }

  /**
   * The label for an operation name: anonymous, a name seen before, or a new one under the cap, else OTHER_OPERATION.
   * A new name is kept only from an operation that a principal ran (`admit`): names from requests anyone can send
   * and that never ran (unauthenticated, refused, invalid) would otherwise fill the cap, and every real operation
   * after them would count as `other`.
   */
  operationLabel(name: string | null | undefined, admit: boolean): string {
    return name ? this.operationNames.of(name, admit) : ANONYMOUS_OPERATION;
  }

  operationAnswered(operation: string, type: OperationType, transport: Transport, seconds: number | null, codes: (string | null)[]): void {
    this.operations.inc({ operation, type, transport });
    if (seconds !== null) this.operationSeconds.observe({ operation, type }, seconds);
    for (const code of codes) this.graphqlErrors.inc({ code: code ? this.errorCodes.of(code) : NO_CODE, operation });
  }

  httpAnswered(route: string, method: string, status: number, seconds: number | null): void {
    this.httpRequests.inc({ route, method, status: String(status) });
    if (seconds !== null) this.httpSeconds.observe({ route, method }, seconds);
  }

  refused(limit: string): void {
    this.rateLimitRefusals.inc({ limit });
  }

  jobRan(job: string, outcome: "ok" | "failed" | "unavailable", seconds: number): void {
    this.jobRuns.inc({ job, outcome });
    this.jobSeconds.observe({ job }, seconds);
  }

  reportDelivered(outcome: ReportOutcome): void {
    this.reportDeliveries.inc({ outcome });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Feeds the metrics from the request path: a Yoga plugin for GraphQL operations over HTTP (name, type, latency,
 * error codes), a hook on the Node server for every HTTP response (route, method, status, latency), and the
 * GET /metrics route itself.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { timingSafeEqual, createHash } from "node:crypto";
import { getOperationAST, type DocumentNode, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { problem, type RouteHandler } from "../http/routes";
import type { Metrics, OperationType } from "./metrics";

interface OperationState {
  startedAt: number;
  name: string | null;
  type: OperationType;
  /** A principal's operation reached execution: its name may become a label of its own. */
  ran: boolean;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/** The `extensions.code` of each error in a result (null for an error without one). */
export function errorCodes(result: unknown): (string | null)[] {
  const results = (Array.isArray(result) ? result : [result]) as ExecutionResult[];
  return results.flatMap((r) => (r?.errors ?? []).map((error) => (typeof error.extensions?.code === "string" ? error.extensions.code : null)));
}

/** The operation a document runs: its type, and its name when it has one. */
export function operationOf(document: DocumentNode, operationName: string | null | undefined): { name: string | null; type: OperationType } {
  const operation = getOperationAST(document, operationName);
  return { name: operation?.name?.value ?? null, type: operation?.operation ?? "unknown" };
}

/**
 * GraphQL operations over HTTP, from the moment their parameters are read to their result: a refusal before
 * execution (a document that does not parse or validate, a spent budget) counts too, with its error code.
 */
export function metricsPlugin(metrics: Metrics): Plugin {
  const operations = new WeakMap<Request, OperationState>();
  return {
    onParams({ request, params }) {
      operations.set(request, { startedAt: performance.now(), name: params.operationName ?? null, type: "unknown", ran: false });
    },
    onParse: ({ context }) => {
      const request = (context as { request?: Request }).request;
      const state = request ? operations.get(request) : undefined;
      if (!state) return;
      return ({ result }) => {
        if (result && !(result instanceof Error)) Object.assign(state, operationOf(result as DocumentNode, state.name));
      };
    },
    onExecute: ({ args }) => {
      const context = args.contextValue as { request?: Request; principal?: unknown };
      const state = context.request ? operations.get(context.request) : undefined;
      if (state && context.principal) state.ran = true;
    },
    onResultProcess({ request, result }) {
      const state = operations.get(request);
      if (!state) return;
      operations.delete(request);
      const streamed = isAsyncIterable(result);
      const type = streamed && state.type === "unknown" ? "subscription" : state.type;
      // A stream's duration is how long the client stayed subscribed, which says nothing about latency.
      const seconds = streamed ? null : (performance.now() - state.startedAt) / 1000;
      metrics.operationAnswered(metrics.operationLabel(state.name, state.ran), type, "http", seconds, streamed ? [] : errorCodes(result));
    },
  };
}

const METHODS = new Set(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]);

/**
 * Route labels for HTTP metrics: a request's path as the route key that serves it ("/qr/:file" for "/qr/abc.png"),
 * or "unmatched", so the label has as many values as the gateway has routes whatever paths clients send.
 */
export function routeLabeller(routeKeys: string[]): (path: string) => string {
  const paths = [...new Set(routeKeys.map((key) => key.slice(key.indexOf(" ") + 1)))];
  const exact = new Set(paths.filter((p) => !p.includes("/:")));
  const patterns = paths.filter((p) => p.includes("/:")).map((p) => ({ label: p, segments: p.split("/") }));
  return (path) => {
    if (exact.has(path)) return path;
    const segments = path.split("/");
    const match = patterns.find((p) => p.segments.length === segments.length && p.segments.every((s, i) => s.startsWith(":") ? segments[i] !== "" : s === segments[i]));
    return match?.label ?? "unmatched";
  };
}

/** Counts each HTTP response when it is complete (or the connection closes first). */
export function observeHttp(metrics: Metrics, label: (path: string) => string, req: IncomingMessage, res: ServerResponse): void {
  const startedAt = performance.now();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const path = (req.url ?? "/").split("?")[0]!;
    const method = METHODS.has(req.method ?? "") ? req.method! : "OTHER";
    const streamed = String(res.getHeader("content-type") ?? "").startsWith("text/event-stream");
    metrics.httpAnswered(label(path), method, res.statusCode, streamed ? null : (performance.now() - startedAt) / 1000);
  };
  res.once("finish", finish).once("close", finish);
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /metrics in Prometheus text. With METRICS_TOKEN it takes `Authorization: Bearer <METRICS_TOKEN>` (401
 * otherwise); without it, it is open outside production and absent (404) in production, where operation names,
 * volumes and error rates are not for everyone.
 */
export function metricsRoutes(metrics: Metrics, options: { token: string | null; production: boolean }): Record<string, RouteHandler> {
  if (!options.token && options.production) return {};
  return {
    "GET /metrics": async (request) => {
      if (options.token) {
        const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
        if (!sameSecret(given, options.token)) {
          const refused = problem(401, "UNAUTHENTICATED", "Send Authorization: Bearer <METRICS_TOKEN>.");
          refused.headers.set("www-authenticate", 'Bearer realm="metrics"');
          return refused;
        }
      }
      return new Response(await metrics.text(), { status: 200, headers: { "content-type": metrics.contentType, "cache-control": "no-store" } });
    },
  };
}

/**
 * Server-Sent Events streams (graphql-sse's /graphql/stream and Yoga's own on /graphql) under the same rules as
 * WebSocket connections: a stream counts against its principal's and its address's connection caps, and a client
 * that reads nothing is ended once its subscriber's bounded queue is full. graphql-sse takes every event it is
 * given into a buffer of its own, so the feed waits for the response to drain before handing over the next one;
 * meanwhile events pile up in the feed's queue, which is bounded.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Principal } from "../auth/principal";
import type { Plugin } from "graphql-yoga";
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from "graphql";
import { createHandler } from "graphql-sse/lib/use/fetch";
import { handleMaybePromise } from "@whatwg-node/promise-helpers";
import { principalIdentity, type ConnectionLimits } from "./connection-limits";

/** What the context of an operation answered on an HTTP response needs to stream on it. */
export function streamingResponse(res: ServerResponse) {
  return {
    closeConnection: () => res.destroy(),
    writable: () =>
      res.writableNeedDrain && !res.destroyed
        ? new Promise<void>((resolve) => {
            const done = () => {
              res.off("drain", done).off("close", done);
              resolve();
            };
            res.on("drain", done).on("close", done);
          })
        : null,
  };
}

/**
 * How a subscription answered on an HTTP response takes its place under the caps: called when the subscription
 * starts, it counts the response as a live stream until it closes (once per response), or throws the refusal past a
 * cap. Counted by what runs, not by the request's Accept header: Yoga also streams a subscription asked for with no
 * Accept header, with a wildcard one or with `TEXT/EVENT-STREAM` in capitals.
 */
export function eventStreamHold(
  limits: ConnectionLimits,
  principal: Principal | null,
  req: IncomingMessage,
  res: ServerResponse,
  /** The open streams, ended at shutdown (`endStreams`). */
  open: Set<ServerResponse>,
): () => void {
  let held = false;
  return () => {
    // A response that has closed already sends nothing and would never give its place back.
    if (held || res.closed || res.destroyed) return;
    res.once("close", limits.acquire(principal ? principalIdentity(principal) : null, req.socket.remoteAddress ?? null, "sse"));
    open.add(res);
    res.once("close", () => open.delete(res));
    held = true;
  };
}

/**
 * Cuts the open event streams, as the WebSocket connections are closed with 1001: a stream that ended with the
 * protocol's `complete` would tell its client the subscription is over, and the client would not come back.
 */
export function endStreams(open: Set<ServerResponse>): void {
  for (const res of open) res.destroy();
  open.clear();
}

/**
 * graphql-sse's single connection mode is not served: its operations arrive on requests of their own and stream
 * over another request's response, so neither the caps nor the response's back-pressure would see them (each
 * POST is answered at once, and graphql-sse buffers whatever it is handed for the stream without bound). The
 * reservation that starts the mode (PUT) is refused; without one, every operation takes the distinct connection
 * mode, one stream per subscription, which graphql-sse's client uses by default.
 */
export function refuseSingleConnectionMode(endpoint: string): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== "PUT" || !new URL(request.url).pathname.endsWith(endpoint)) return;
      endResponse(
        Response.json(
          { error: "SINGLE_CONNECTION_MODE_UNSUPPORTED", message: "Single connection mode is not served here: subscribe with one request per subscription (graphql-sse's distinct connections mode)." },
          { status: 405, headers: { allow: "GET, POST" } },
        ),
      );
    },
  };
}

/**
 * graphql-sse on `endpoint`: Yoga's `useGraphQLSSE`, whose refusals the protocol answers otherwise. A document that
 * does not parse or validate, and an operation refused before it runs (no token, an argument it refuses, the caps),
 * is answered as an execution result, `data: null` with its errors: `next` and `complete` on the accepted stream,
 * as graphql-sse's PROTOCOL.md says for distinct connections. Yoga's plugin let the parser's error escape (500, its
 * stack in the body, for anyone) and handed `{ errors }` to graphql-sse, which takes only results with `data` and
 * answered 400 "Unable to detect operation AST" whatever the error was. `shown` gives what the client sees of an
 * error thrown before the operation runs (the WebSocket transport's rule: its own errors as they are, the database
 * being away as SERVICE_UNAVAILABLE, anything else masked and logged).
 */
export function useSseSubscriptions(
  endpoint: string,
  shown: (error: unknown) => GraphQLError,
  /** A refusal due before parsing (anonymous introspection), which Yoga's `onParams` gives its own endpoint. */
  beforeParsing: (request: Request, query: string) => GraphQLError | null = () => null,
): Plugin {
  const contexts = new WeakMap<Request, Record<string, unknown>>();
  let handler: (request: Request) => Promise<Response>;
  const refusal = (error: unknown): ExecutionResult => ({ data: null, errors: [error instanceof GraphQLError ? error : shown(error)] });
  const withData = (result: ExecutionResult | AsyncIterable<ExecutionResult>) => (isAsyncIterable(result) || "data" in result ? result : { data: null, ...result });
  return {
    onYogaInit({ yoga }) {
      handler = createHandler(
        {
          onSubscribe(request, params) {
            const early = beforeParsing(request.raw, params.query);
            if (early) return refusal(early);
            const enveloped = yoga.getEnveloped({ ...contexts.get(request.raw), request: request.raw, params });
            let document: DocumentNode;
            try {
              document = enveloped.parse(params.query);
            } catch (error) {
              return refusal(error);
            }
            const errors = enveloped.validate(enveloped.schema, document);
            if (errors.length > 0) return { data: null, errors };
            return handleMaybePromise(
              () => enveloped.contextFactory(),
              (contextValue) => {
                const args = { schema: enveloped.schema, document, contextValue, variableValues: params.variables, operationName: params.operationName };
                const run = getOperationAST(document, params.operationName)?.operation === "subscription" ? enveloped.subscribe : enveloped.execute;
                return handleMaybePromise(() => run(args) as ExecutionResult | AsyncIterable<ExecutionResult>, withData, refusal);
              },
              refusal,
            );
          },
        },
        yoga.fetchAPI,
      );
    },
    onRequest({ request, endResponse, serverContext }) {
      if (!new URL(request.url).pathname.endsWith(endpoint)) return;
      contexts.set(request, serverContext as Record<string, unknown>);
      return handleMaybePromise(() => handler(request), endResponse);
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof value === "object" && value !== null && Symbol.asyncIterator in value;

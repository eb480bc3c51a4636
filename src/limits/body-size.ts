/**
 * How much a client may send: a request body, a WebSocket message, the time to send a request. GraphQL documents
 * and their variables are small (the largest operation a client of this API sends is a few kilobytes), so a body
 * is capped well below what could fill memory: Yoga keeps up to 1,024 parsed documents keyed by their whole text,
 * and two routes (graphql-sse's /graphql/stream and the signed platform events) read their bodies before Yoga's own
 * cap would apply.
 */
import type { Server } from "node:http";
import type { Plugin } from "graphql-yoga";

/** The largest request body or WebSocket message, in bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** A client has this long to send a request's headers, and this long for the whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

function refusal(status: 411 | 413, message: string): Response {
  return new Response(JSON.stringify({ error: status === 413 ? "PAYLOAD_TOO_LARGE" : "LENGTH_REQUIRED", message }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/**
 * Refuses a body over MAX_REQUEST_BYTES by its Content-Length before anything reads it (413). A body of unknown
 * length (chunked) is taken on /graphql only, where Yoga counts it as it reads; elsewhere it must say its length (411).
 */
export function bodySizePlugin(graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return;
      const length = request.headers.get("content-length");
      if (length !== null) {
        if (Number(length) > MAX_REQUEST_BYTES) endResponse(refusal(413, `A request body can be at most ${MAX_REQUEST_BYTES} bytes.`));
        return;
      }
      if (request.headers.has("transfer-encoding") && url.pathname !== graphqlEndpoint) {
        endResponse(refusal(411, "Send the body with a Content-Length."));
      }
    },
  };
}

/** Node's defaults let a client take 60 s over its headers and 300 s over its request. */
export function limitRequestTime(server: Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
}

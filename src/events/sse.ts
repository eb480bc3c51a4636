/**
 * Server-Sent Events streams (graphql-sse's /graphql/stream and Yoga's own on /graphql) under the same rules as
 * WebSocket connections: a stream counts against its principal's and its address's connection caps, and a client
 * that reads nothing is ended once its subscriber's bounded queue is full. graphql-sse takes every event it is
 * given into a buffer of its own, so the feed waits for the response to drain before handing over the next one;
 * meanwhile events pile up in the feed's queue, which is bounded.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Principal } from "../auth/principal";
import { principalIdentity, TooManyConnectionsError, type ConnectionLimits } from "./connection-limits";

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
 * Counts an event stream against the caps until its response closes. Past a cap it answers the refusal, for the
 * subscription to report as a GraphQL error (graphql-sse answers an error thrown while building the context with a
 * bare 500).
 */
export function countEventStream(limits: ConnectionLimits, principal: Principal | null, req: IncomingMessage, res: ServerResponse): TooManyConnectionsError | null {
  if (!req.headers.accept?.includes("text/event-stream")) return null;
  try {
    res.once("close", limits.acquire(principal ? principalIdentity(principal) : null, req.socket.remoteAddress ?? null, "sse"));
    return null;
  } catch (error) {
    if (error instanceof TooManyConnectionsError) return error;
    throw error;
  }
}

/**
 * graphql-ws on `ws`, our own adapter around graphql-ws's `makeServer` (in place of `graphql-ws/use/ws`), for a live
 * feed with thousands of sockets on one instance:
 *
 * - **One serialisation per shared result.** graphql-ws stringifies every `next` message per socket. Subscribers with
 *   the same selection and permissions get the same result object (shared-execution.ts), so its JSON is made once
 *   (kept beside the object, gone with it) and each socket is sent `{"id":…,"type":"next","payload":` + those bytes
 *   + `}`: graphql-ws still builds and validates the message, its replacer only stands a marker in for the payload,
 *   which `send` (called synchronously right after) swaps for the shared bytes.
 * - **Writes in slices.** One event for 10,000 subscribers is 10,000 socket writes; they are queued and written a
 *   slice at a time with the event loop free in between, so HTTP requests (a capture, the relay's statements) are
 *   not held up behind a whole fan-out. graphql-ws waits for each write before it takes the subscription's next
 *   event, so a client that reads nothing has one message in flight and the feed's bounded queue (closed with 4008
 *   when full) holds the rest.
 * - **Little state per socket.** One keep-alive sweep over every socket instead of a timer per socket, shared event
 *   handlers, and only the peer address kept from the upgrade request (not the request itself).
 */
import type { IncomingMessage } from "node:http";
import type { ExecutionResult } from "graphql";
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";

/** What the adapter hands graphql-ws's hooks as `ctx.extra`. */
export type WsExtra = { socket: WebSocket; address: string | null };

/** Sockets written per turn of the event loop. */
const WRITES_PER_SLICE = 256;

const PAYLOAD_MARKER = "\u0000shared-payload";
/** How graphql-ws's message ends when the replacer put the marker in for the payload: `"payload":"\u0000…"}`. */
const MARKED_END = `${JSON.stringify({ payload: PAYLOAD_MARKER }).slice(1)}`;
const PAYLOAD_KEY = Buffer.from(`"payload":`);
const MESSAGE_END = Buffer.from("}");

/** A `next` payload serialised once for every socket it goes to. */
class SharedPayload {
  constructor(readonly json: Buffer) {}
}

const serialised = new WeakMap<object, SharedPayload>();

/**
 * The shared bytes of a result without errors or extensions (those are per subscriber, or rare); keyed on its `data`,
 * which is the one object every subscriber of a class receives however many result wrappers the pipeline adds.
 */
function sharedPayload(result: ExecutionResult): SharedPayload | undefined {
  if (result.errors || result.extensions || typeof result.data !== "object" || result.data === null) return undefined;
  let shared = serialised.get(result.data);
  if (!shared) {
    shared = new SharedPayload(Buffer.from(JSON.stringify({ data: result.data })));
    serialised.set(result.data, shared);
  }
  return shared;
}

/** Set by the replacer, taken by the `send` that graphql-ws calls right after stringifying the same message. */
let marked: SharedPayload | null = null;

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof SharedPayload) {
    marked = value;
    return PAYLOAD_MARKER;
  }
  return value;
}

/** The frame for `data`, with the shared payload spliced in where graphql-ws put the marker. */
function frameOf(data: string): string | Buffer {
  const shared = marked;
  marked = null;
  if (!shared || !data.endsWith(MARKED_END)) return data;
  return Buffer.concat([Buffer.from(data.slice(0, data.length - MARKED_END.length)), PAYLOAD_KEY, shared.json, MESSAGE_END]);
}

interface Write {
  socket: WebSocket;
  frame: string | Buffer;
  done: (error?: Error) => void;
}

function writer() {
  let queue: Write[] = [];
  let scheduled = false;
  const flush = () => {
    const slice = queue.length > WRITES_PER_SLICE ? queue.splice(0, WRITES_PER_SLICE) : queue;
    if (slice === queue) queue = [];
    for (const { socket, frame, done } of slice) {
      if (socket.readyState !== socket.OPEN) done();
      else socket.send(frame, { binary: false }, done);
    }
    scheduled = queue.length > 0;
    if (scheduled) setImmediate(flush);
  };
  return (socket: WebSocket, frame: string | Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      queue.push({ socket, frame, done: (error) => (error ? reject(error) : resolve()) });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}

function logged(this: WebSocket, error: Error): void {
  console.error("Internal error emitted on a WebSocket socket.", error);
  this.close(CloseCode.InternalServerError, "Internal server error");
}

/**
 * Serves graphql-ws on `wss` (graphql-transport-ws protocol). `onNext` stays free for the adapter: results are shared
 * through it.
 */
export function serveGraphQLWs<P extends Record<string, unknown> | undefined>(
  options: Omit<ServerOptions<P, WsExtra>, "onNext" | "jsonMessageReplacer">,
  wss: WebSocketServer,
  keepAliveMs = 12_000,
): { dispose(): void } {
  const server = makeServer<P, WsExtra>({
    ...options,
    onNext: (_ctx, _id, _payload, _args, result) => sharedPayload(result) as unknown as ExecutionResult | undefined,
    jsonMessageReplacer: replacer,
  });
  const write = writer();
  // A socket that has not answered the previous sweep's ping by the next sweep is gone.
  const unanswered = new WeakSet<WebSocket>();
  function answered(this: WebSocket): void {
    unanswered.delete(this);
  }
  const sweep =
    keepAliveMs > 0 && Number.isFinite(keepAliveMs)
      ? setInterval(() => {
          for (const socket of wss.clients) {
            if (socket.readyState !== socket.OPEN) continue;
            if (unanswered.has(socket)) {
              socket.terminate();
              continue;
            }
            unanswered.add(socket);
            socket.ping();
          }
        }, keepAliveMs).unref()
      : null;

  wss.options.handleProtocols = handleProtocols;
  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    socket.once("error", logged);
    socket.on("pong", answered);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => write(socket, frameOf(data)),
        close: (code, reason) => socket.close(code, reason),
        // Not an async function: graphql-ws's handler of a `subscribe` message runs as long as the subscription does,
        // and an async wrapper would hold the message's bytes that long.
        onMessage: (handle) =>
          socket.on("message", (message) => {
            handle(String(message)).catch((error: unknown) => {
              console.error("Internal error occurred during message handling.", error);
              socket.close(CloseCode.InternalServerError, "Internal server error");
            });
          }),
      },
      { socket, address: request.socket.remoteAddress ?? null },
    );
    socket.once("close", (code, reason) => void closed(code, String(reason)));
  });
  return {
    dispose: () => {
      if (sweep) clearInterval(sweep);
    },
  };
}

/**
 * graphql-ws on `ws`, our own adapter around graphql-ws's `makeServer` (in place of `graphql-ws/use/ws`), for a live
 * feed with thousands of sockets on one instance:
 *
 * - **One serialisation per shared result.** graphql-ws stringifies every `next` message per socket. Subscribers with
 *   the same selection and permissions get the same result object (shared-execution.ts), so its JSON is made once
 *   (kept beside the object, gone with it) and each socket is sent `{"id":…,"type":"next","payload":` + those bytes
 *   + `}`: graphql-ws still builds and validates the message, its replacer only stands a marker in for the payload,
 *   which `send` (called synchronously right after) swaps for the shared bytes.
 * - **Writes in slices, coalesced under load.** One event for 10,000 subscribers is 10,000 socket writes. A direct
 *   lane's frames are written as the feed makes them, a slice of subscribers per turn of the event loop; the rest
 *   (and a frame whose socket already has messages waiting) are
 *   queued and written a slice of sockets at a time with the event loop free in between, so HTTP requests (a capture,
 *   the relay's statements) are not held up behind a whole fan-out. A socket's messages that pile up while it waits
 *   for its turn go out in one write, so a fan-out that falls behind catches up instead of queueing without end.
 *   What waits per socket is bounded (`WriteLimits`): beyond it the connection is closed with 4008, as the feed closes
 *   a subscriber whose own queue overflows.
 * - **Little state per socket.** One keep-alive sweep over every socket instead of a timer per socket, shared event
 *   handlers, and only the peer address kept from the upgrade request (not the request itself).
 */
import type { IncomingMessage } from "node:http";
import type { ExecutionResult } from "graphql";
import { CloseCode, handleProtocols, makeServer, type Context, type ServerOptions } from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";
import { CLOSE_SLOW_CONSUMER } from "./close-codes";

/** What the adapter hands graphql-ws's hooks as `ctx.extra`. */
export type WsExtra = { socket: WebSocket; address: string | null; lanes: NextLanes };

/**
 * The `next` messages of one operation, written straight to its socket: for a live feed whose events already carry
 * their (shared) results, graphql-ws's per-message work (its `for await`, the result hooks, a message object and its
 * validation per subscriber) is skipped; what is left per subscriber is the frame and the socket write. The
 * operation's end (`complete`, `error`) still goes through graphql-ws.
 */
export interface NextLane {
  /** Sends `results`, in order, as the operation's next messages (one write); false (nothing sent) once it is over. */
  next(results: readonly ExecutionResult[]): boolean;
}

/** The keep-alive sweep visits every socket in this many steps per keep-alive interval. */
const SWEEP_STEPS = 16;

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

/**
 * Direct lanes for a server's operations. A result is serialised once (shared among every operation it goes to), its
 * errors masked as Yoga masks them (`mask`); each operation's frame is its own id-bearing prefix, those bytes, `}`.
 */
export class NextLanes {
  private readonly withErrors = new WeakMap<object, Buffer>();
  private lastResult: ExecutionResult | null = null;
  private lastPayload: Buffer | null = null;

  constructor(
    private readonly write: Write,
    private readonly writeRaw: WriteRaw,
    private readonly mask: (result: ExecutionResult) => ExecutionResult,
  ) {}

  open(ctx: Context<Record<string, unknown> | undefined, WsExtra>, id: string): NextLane {
    const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
    const socket = ctx.extra.socket;
    // Without extensions (compression), frames are made here and written to the TCP socket as they are.
    const tcp = socket.extensions === "" ? tcpOf(socket) : undefined;
    return new Lane(this, ctx, id, prefix, socket, tcp);
  }

  /** Writes the frames of `results` for the operation whose frames start with `prefix`. */
  next(socket: WebSocket, tcp: TcpSocket | undefined, prefix: Buffer, results: readonly ExecutionResult[]): void {
    if (tcp === undefined) {
      // `ws` negotiated an extension (compression) that changes what it sends: it frames each message itself.
      for (const result of results) this.write(socket, Buffer.concat([prefix, this.payloadOf(result), MESSAGE_END]), true);
      return;
    }
    // Framed here, every frame of the run in one buffer: one write, one system call.
    if (results.length === 1) {
      const payload = this.payloadOf(results[0]!);
      const frame = frameBuffer(frameLength(prefix, payload));
      textFrame(frame, 0, prefix, payload);
      this.writeRaw(socket, tcp, new RawFrame(frame));
      return;
    }
    const payloads = results.map((result) => this.payloadOf(result));
    const frames = frameBuffer(payloads.reduce((total, payload) => total + frameLength(prefix, payload), 0));
    let offset = 0;
    for (const payload of payloads) offset = textFrame(frames, offset, prefix, payload);
    this.writeRaw(socket, tcp, new RawFrame(frames, payloads.length));
  }

  private payloadOf(result: ExecutionResult): Buffer {
    // A fan-out asks for the same result once per subscriber in a row: the last answer saves the lookups.
    if (result === this.lastResult) return this.lastPayload!;
    const payload = this.lookUpPayload(result);
    this.lastResult = result;
    this.lastPayload = payload;
    return payload;
  }

  private lookUpPayload(result: ExecutionResult): Buffer {
    const shared = sharedPayload(result);
    if (shared) return shared.json;
    let json = this.withErrors.get(result);
    if (!json) {
      json = Buffer.from(JSON.stringify(this.mask(result)));
      this.withErrors.set(result, json);
    }
    return json;
  }
}

/**
 * One operation's lane: a class, not a closure, since it lives as long as the subscription. It keeps what every
 * delivery needs (the socket, its TCP socket, the frame's prefix) at hand: a fan-out visits thousands of them in a row,
 * and each object less to reach per delivery is a cache miss less.
 */
class Lane implements NextLane {
  constructor(
    private readonly lanes: NextLanes,
    private readonly ctx: Context<Record<string, unknown> | undefined, WsExtra>,
    private readonly id: string,
    private readonly prefix: Buffer,
    private readonly socket: WebSocket,
    private readonly tcp: TcpSocket | undefined,
  ) {}

  next(results: readonly ExecutionResult[]): boolean {
    // graphql-ws forgets the id when the client completes it or the socket closes.
    if (!(this.id in this.ctx.subscriptions)) return false;
    this.lanes.next(this.socket, this.tcp, this.prefix, results);
    return true;
  }
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

/** What a socket may have waiting to be written before its client counts as too slow (4008). */
export interface WriteLimits {
  /** Messages waiting in the adapter for one socket. */
  maxQueuedMessages: number;
  /** Bytes `ws` and the kernel have not taken yet (`bufferedAmount`). */
  maxBufferedBytes: number;
}

/**
 * Writes a socket's outgoing message; `direct` (a direct lane's frame, sent by the feed a slice of subscribers per turn
 * of the event loop) writes it at once when nothing of that socket waits, else it waits its turn behind the rest.
 */
type Write = (socket: WebSocket, frame: Outgoing, direct?: boolean) => void;

/** Writes a direct lane's frame to `tcp`, the TCP socket of `socket` (a socket without extensions). */
type WriteRaw = (socket: WebSocket, tcp: TcpSocket, frame: RawFrame) => void;

/**
 * The sockets' outgoing messages. graphql-ws's messages are written a slice of sockets per turn of the event loop, and
 * a socket's messages that arrive while it waits for its turn are written together, in one system call: when the
 * fan-out falls behind (a burst, a loaded machine), each pass over the sockets carries more events instead of the
 * backlog growing. A direct lane's frame skips the queue when nothing waits before it (the feed slices those itself).
 */
function writer(limits: WriteLimits): { write: Write; writeRaw: WriteRaw } {
  const pending = new Map<WebSocket, Outgoing[]>();
  let scheduled = false;
  const flush = () => {
    let written = 0;
    for (const [socket, frames] of pending) {
      pending.delete(socket);
      if (socket.readyState === socket.OPEN) writeAll(socket, frames);
      if (++written === WRITES_PER_SLICE) break;
    }
    scheduled = pending.size > 0;
    if (scheduled) setImmediate(flush);
  };
  const tooSlow = (socket: WebSocket, unread: boolean) => {
    pending.delete(socket);
    const why = unread ? `more than ${Math.round(limits.maxBufferedBytes / 1024)} KiB unread` : `more than ${limits.maxQueuedMessages} events waiting`;
    socket.close(CLOSE_SLOW_CONSUMER, `Slow consumer: ${why}`);
  };
  const write: Write = (socket, frame, direct = false) => {
    if (socket.readyState !== OPEN) return;
    const frames = pending.get(socket);
    const unread = socket.bufferedAmount > limits.maxBufferedBytes;
    // A run of messages written at once counts as that many waiting: the bound is the same however they are written.
    if (unread || messagesIn(frames) + messagesIn(frame) > limits.maxQueuedMessages) return tooSlow(socket, unread);
    if (frames) frames.push(frame);
    else if (direct) writeOne(socket, frame);
    else pending.set(socket, [frame]);
    if (!scheduled && pending.size > 0) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  // A direct lane's frame on a socket without extensions, the one write per subscriber and event of a fan-out: the same
  // bounds as `write`, read where they are (nothing of `ws` waits on such a socket: its sender queues only to compress).
  const writeRaw: WriteRaw = (socket, tcp, frame) => {
    if (socket.readyState !== OPEN) return;
    if (pending.has(socket)) return write(socket, frame, true);
    const waiting = tcp.writableLength;
    if (waiting > limits.maxBufferedBytes || frame.messages > limits.maxQueuedMessages) return tooSlow(socket, waiting > limits.maxBufferedBytes);
    tcp.write(waiting > 0 ? Buffer.from(frame.bytes) : frame.bytes);
  };
  return { write, writeRaw };
}

/** `WebSocket.OPEN`. */
const OPEN = 1;

/**
 * A complete WebSocket frame, made by the adapter (a direct lane's `next`): written to the TCP socket as it is, one
 * buffer, without `ws` framing it again. Only on sockets without extensions: `ws` would otherwise compress or transform
 * what it sends, and our frames would not match.
 */
class RawFrame {
  constructor(
    readonly bytes: Buffer,
    /** The messages in `bytes` (a run of frames). */
    readonly messages = 1,
  ) {}
}

function messagesIn(outgoing: Outgoing | Outgoing[] | undefined): number {
  if (outgoing === undefined) return 0;
  if (outgoing instanceof RawFrame) return outgoing.messages;
  if (!Array.isArray(outgoing)) return 1;
  let count = 0;
  for (const frame of outgoing) count += messagesIn(frame);
  return count;
}

/** What waits to be written to a socket: graphql-ws's messages (framed by `ws`), or frames made here. */
type Outgoing = string | Buffer | RawFrame;

type TcpSocket = { cork(): void; uncork(): void; write(data: Buffer): boolean; readonly writableLength: number };

const tcpOf = (socket: WebSocket) => (socket as WebSocket & { _socket?: TcpSocket })._socket;

/**
 * Several frames in one write: `ws` corks the TCP socket per frame, and the corks nest. `ws` writes a frame to the TCP
 * socket at once (no compression here, so its sender never queues), so frames made here and frames `ws` makes keep
 * their order when written one after the other.
 */
function writeAll(socket: WebSocket, frames: Outgoing[]): void {
  const tcp = tcpOf(socket);
  const backedUp = tcp !== undefined && tcp.writableLength > 0;
  const corked = frames.length > 1 && tcp !== undefined;
  if (corked) tcp.cork();
  for (const frame of frames) writeOne(socket, frame, tcp, backedUp);
  if (corked) tcp.uncork();
}

/**
 * A socket that still holds unsent bytes (`backedUp`) is not keeping up: what is written to it now waits in its buffer,
 * so it gets a copy of the frame rather than a view of a shared slab (see `frameBuffer`), and a client that stops
 * reading holds only its own bytes (at most `maxBufferedBytes` before 4008), not a 64 KiB slab per frame.
 */
function writeOne(socket: WebSocket, frame: Outgoing, tcp = tcpOf(socket), backedUp = tcp !== undefined && tcp.writableLength > 0): void {
  if (!(frame instanceof RawFrame)) socket.send(frame, { binary: false });
  else if (tcp) tcp.write(backedUp ? Buffer.from(frame.bytes) : frame.bytes);
}

/**
 * Frames are cut from slabs of this size: one event for 10,000 subscribers is 10,000 frames, and Node's own 8 KiB pool
 * made a new buffer every dozen of them (6 % of the gateway's time in the 10,000-subscriber profile). A frame the kernel
 * does not take at once keeps its slab alive; `writeAll` therefore writes copies to a socket that is already behind,
 * so a slow socket pins at most the slabs of one write.
 */
const SLAB_BYTES = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

function frameBuffer(size: number): Buffer {
  if (size > SLAB_BYTES / 4) return Buffer.allocUnsafe(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const frame = slab.subarray(slabUsed, slabUsed + size);
  // Eight-byte aligned, as Node's own pool does.
  slabUsed += (size + 7) & ~7;
  return frame;
}

/** The length of `prefix` + payload + `}` as one unmasked text frame, header included. */
function frameLength(prefix: Buffer, payload: Buffer): number {
  const length = prefix.length + payload.length + 1;
  return (length < 126 ? 2 : length < 65_536 ? 4 : 10) + length;
}

/**
 * Writes `{"id":…,"type":"next","payload":` + payload + `}` as one unmasked text frame (RFC 6455, section 5.2) into
 * `target` at `offset`; returns where the frame ends.
 */
function textFrame(target: Buffer, offset: number, prefix: Buffer, payload: Buffer): number {
  const length = prefix.length + payload.length + 1;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  target[offset] = 0x81; // FIN, text
  if (length < 126) target[offset + 1] = length;
  else if (length < 65_536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
  } else {
    target[offset + 1] = 127;
    target.writeBigUInt64BE(BigInt(length), offset + 2);
  }
  target.set(prefix, offset + header);
  target.set(payload, offset + header + prefix.length);
  target[offset + header + length - 1] = 0x7d; // }
  return offset + header + length;
}

/**
 * The id of a `subscribe` message; null for any other message (graphql-ws itself refuses malformed ones). Decided on
 * the parsed message, as graphql-ws decides: a look at the raw text for `"subscribe"` would miss the type spelled with
 * a JSON escape (`"\u0073ubscribe"`), and such a message reused an id unchecked.
 */
function subscribeIdOf(text: string): string | null {
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown };
    return message.type === "subscribe" && typeof message.id === "string" ? message.id : null;
  } catch {
    return null;
  }
}

function logged(this: WebSocket, error: Error): void {
  // The client broke the protocol (a message over maxPayload, a bad frame): ws closes the socket with the matching
  // code (1009, 1002) itself; nothing went wrong here.
  if ((error as NodeJS.ErrnoException).code?.startsWith("WS_ERR_")) return;
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
  limits: WriteLimits,
  keepAliveMs = 12_000,
  /** Applied to results with errors sent through a direct lane (the other results pass Yoga's own masking). */
  mask: (result: ExecutionResult) => ExecutionResult = (result) => result,
): { dispose(): void } {
  const server = makeServer<P, WsExtra>({
    ...options,
    onNext: (_ctx, _id, _payload, _args, result) => sharedPayload(result) as unknown as ExecutionResult | undefined,
    jsonMessageReplacer: replacer,
  });
  const { write, writeRaw } = writer(limits);
  const lanes = new NextLanes(write, writeRaw, mask);
  // A socket that has not answered a ping within keepAliveMs of it is gone. The sweep visits a share of the sockets
  // every keepAliveMs / SWEEP_STEPS, not all of them at once: 10,000 pings in one go held the event loop (and every
  // delivery behind it) for about 150 ms. A pass over few sockets comes round sooner than keepAliveMs, so each ping's
  // time is kept: a socket is given its whole keepAliveMs to answer, however often it is visited.
  const unanswered = new WeakMap<WebSocket, number>();
  function answered(this: WebSocket): void {
    unanswered.delete(this);
  }
  let pass: Iterator<WebSocket> | null = null;
  const visit = () => {
    pass ??= wss.clients[Symbol.iterator]();
    for (let share = Math.ceil(wss.clients.size / SWEEP_STEPS); share > 0; share--) {
      const next = pass.next();
      if (next.done) {
        pass = null;
        return;
      }
      const socket = next.value;
      if (socket.readyState !== socket.OPEN) continue;
      const pingedAt = unanswered.get(socket);
      if (pingedAt !== undefined) {
        if (performance.now() - pingedAt >= keepAliveMs) socket.terminate();
        continue;
      }
      unanswered.set(socket, performance.now());
      socket.ping();
    }
  };
  const sweep = keepAliveMs > 0 && Number.isFinite(keepAliveMs) ? setInterval(visit, keepAliveMs / SWEEP_STEPS).unref() : null;

  wss.options.handleProtocols = handleProtocols;
  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    socket.once("error", logged);
    socket.on("pong", answered);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Resolved at once: graphql-ws may hand over the subscription's next message while this one waits its turn, so
        // they can leave together; `writer` bounds what waits.
        // Methods, not arrow functions: they live as long as the socket, and the build (esbuild's keepNames) gives every
        // named arrow function a property table of its own.
        send(data) {
          write(socket, frameOf(data));
        },
        close(code, reason) {
          socket.close(code, reason);
        },
        // Not an async function: graphql-ws's handler of a `subscribe` message runs as long as the subscription does,
        // and an async wrapper would hold the message's bytes that long.
        //
        // An operation's id stays taken until graphql-ws has finished with it, not only until the client completes
        // it: graphql-ws forgets the id on `complete` while the operation may still be setting up, and a `subscribe`
        // reusing the id then got the older operation's stream stored under it, never returned (a live-feed
        // subscriber that outlived the socket). Reusing an id that early is refused as a duplicate (4409).
        onMessage(handle) {
          const busy = new Set<string>();
          socket.on("message", (message) => {
            const text = String(message);
            const id = subscribeIdOf(text);
            if (id !== null) {
              if (busy.has(id)) {
                socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
                return;
              }
              busy.add(id);
            }
            handle(text)
              .catch((error: unknown) => {
                console.error("Internal error occurred during message handling.", error);
                socket.close(CloseCode.InternalServerError, "Internal server error");
              })
              .finally(() => {
                if (id !== null) busy.delete(id);
              });
          });
        },
      },
      { socket, address: request.socket.remoteAddress ?? null, lanes },
    );
    socket.once("close", (code, reason) => void closed(code, String(reason)));
  });
  return {
    dispose: () => {
      if (sweep) clearInterval(sweep);
    },
  };
}

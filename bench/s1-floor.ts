/**
 * The floor of S1: the least a server can do to fan one event out to N WebSocket subscribers. `node:http` for the
 * upgrade and for `POST /capture` (which stands for a committed change), and per subscriber one frame (its operation
 * id, the event's bytes) written to its socket, all in one synchronous loop. No database, no relay, no GraphQL, no
 * permission check, no slicing of the fan-out: what is left is building the frames and the system calls that send
 * them, and the same subscriber processes reading them on the same cores. The gateway's S1 figures are read against
 * this one's, measured the same way (`tsx bench/s1-live-feed.ts --floor`). PORT comes from the environment.
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface Subscriber {
  socket: Socket;
  /** `{"id":…,"type":"next","payload":`, once the client has subscribed. */
  prefix: Buffer | null;
}

const subscribers = new Set<Subscriber>();

function frame(parts: Buffer[]): Buffer {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const header = length < 126 ? 2 : 4;
  const bytes = Buffer.allocUnsafe(header + length);
  bytes[0] = 0x81;
  if (header === 2) bytes[1] = length;
  else {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  }
  let offset = header;
  for (const part of parts) offset += part.copy(bytes, offset);
  return bytes;
}

const text = (message: unknown) => frame([Buffer.from(JSON.stringify(message))]);

/** Client frames are masked; this reads the text ones (connection_init, subscribe, pong) and answers pings. */
function onClientData(subscriber: Subscriber, state: { rest: Buffer | null }, chunk: Buffer): void {
  const bytes = state.rest ? Buffer.concat([state.rest, chunk]) : chunk;
  state.rest = null;
  let offset = 0;
  while (bytes.length - offset >= 6) {
    const opcode = bytes[offset]! & 0x0f;
    let length = bytes[offset + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      header = 4;
    }
    if (bytes.length - offset < header + 4 + length) break;
    const mask = bytes.subarray(offset + header, offset + header + 4);
    const payload = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) payload[i] = bytes[offset + header + 4 + i]! ^ mask[i & 3]!;
    offset += header + 4 + length;
    if (opcode === 0x8) {
      subscriber.socket.end();
      return;
    }
    if (opcode !== 0x1) continue;
    const message = JSON.parse(payload.toString()) as { type: string; id?: string };
    if (message.type === "connection_init") subscriber.socket.write(text({ type: "connection_ack" }));
    else if (message.type === "ping") subscriber.socket.write(text({ type: "pong" }));
    else if (message.type === "subscribe") subscriber.prefix = Buffer.from(`{"id":${JSON.stringify(message.id)},"type":"next","payload":`);
  }
  if (offset < bytes.length) state.rest = Buffer.from(bytes.subarray(offset));
}

const END = Buffer.from("}");
const salesUnitId = Buffer.from(`SalesUnit:${randomUUID()}`).toString("base64");

/** The event as the gateway sends it to this benchmark's subscription, with the same fields and about the same size. */
function eventPayload(amount: number): Buffer {
  const transactionId = Buffer.from(`Transaction:${randomUUID()}`).toString("base64");
  return Buffer.from(
    JSON.stringify({
      data: {
        transactionEvents: {
          id: `te_${Date.now().toString(16).padStart(16, "0")}`,
          type: "CAPTURED",
          occurredAt: new Date().toISOString(),
          operationAmount: 1,
          transaction: { id: transactionId, reference: "bench-000001", status: "CAPTURED", amount: 100_000, capturedAmount: amount, refundedAmount: 0, cancelledAmount: 0, currency: "NOK" },
          salesUnit: { msn: "751312", name: "Fjordkaffe Bryggen", id: salesUnitId },
        },
      },
    }),
  );
}

let captured = 0;
const server = http.createServer((request, response) => {
  if (request.method === "POST" && request.url === "/capture") {
    const payload = eventPayload(++captured);
    for (const subscriber of subscribers) if (subscriber.prefix) subscriber.socket.write(frame([subscriber.prefix, payload, END]));
    response.end("{}");
    return;
  }
  response.statusCode = request.url === "/healthz" ? 200 : 404;
  response.end();
});

server.on("upgrade", (request: http.IncomingMessage, socket: Socket) => {
  const key = request.headers["sec-websocket-key"];
  const accept = createHash("sha1").update(`${key}${GUID}`).digest("base64");
  socket.setNoDelay(true);
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
  );
  const subscriber: Subscriber = { socket, prefix: null };
  const state = { rest: null as Buffer | null };
  subscribers.add(subscriber);
  socket.on("data", (chunk: Buffer) => onClientData(subscriber, state, chunk));
  socket.on("error", () => undefined);
  socket.on("close", () => subscribers.delete(subscriber));
});

server.listen(Number(process.env.PORT ?? 4100), "127.0.0.1");

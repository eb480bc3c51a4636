import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema, GraphQLError, type ExecutionResult } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { ServerOptions } from "graphql-ws";
import { serveGraphQLWs, type NextLane, type WsExtra } from "../../src/events/graphql-ws-server";

const schema = buildSchema("type Query { ok: Boolean } type Subscription { tick: Int }");

/** A server whose subscriptions all yield the results `next` hands out, the same objects for every subscriber. */
async function start(
  limits = { maxQueuedMessages: 100, maxBufferedBytes: 1024 * 1024 },
  extra: Partial<ServerOptions<Record<string, unknown> | undefined, WsExtra>> = {},
  keepAliveMs?: number,
) {
  const waiting: ((results: ExecutionResult[] | null) => void)[] = [];
  let subscribed = 0;
  const server: Server = createServer();
  const wss = new WebSocketServer({ server });
  const ws = serveGraphQLWs(
    {
      ...extra,
      schema,
      subscribe: () => {
        subscribed++;
        return (async function* () {
          for (;;) {
            const results = await new Promise<ExecutionResult[] | null>((resolve) => waiting.push(resolve));
            if (!results) return;
            yield* results;
          }
        })();
      },
    },
    wss,
    limits,
    keepAliveMs,
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    subscribed: () => subscribed,
    /** Hands every waiting subscription the same result objects, one after the other. */
    next: (...results: ExecutionResult[]) => {
      for (const resolve of waiting.splice(0)) resolve(results);
    },
    waiting: () => waiting.length,
    /** Takes the waiting subscriptions, in the order they subscribed, to hand each its own results. */
    waitingList: () => waiting.splice(0),
    close: async () => {
      ws.dispose();
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe("graphql-ws server adapter", () => {
  it("serialises a result shared by many subscribers once and sends each its own well-formed next message", async () => {
    const server = await start();
    cleanup.push(server.close);
    const received: unknown[][] = [];
    const clients: Client[] = [];
    for (let i = 0; i < 3; i++) {
      const client = createClient({ url: server.url, webSocketImpl: WebSocket, retryAttempts: 0 });
      clients.push(client);
      cleanup.push(async () => client.dispose());
      received.push([]);
      // Two operations on one socket too: each message must carry its own id.
      for (let j = 0; j < 2; j++) {
        client.subscribe({ query: "subscription { tick }" }, { next: (value) => received[i]!.push(value), error: () => undefined, complete: () => undefined });
      }
    }
    await until(() => server.waiting() === 6);

    let serialisations = 0;
    const tick = { toJSON: () => ++serialisations && 42 };
    server.next({ data: { tick } as unknown as Record<string, unknown> });
    await until(() => received.every((list) => list.length === 2));
    expect(received.flat()).toEqual(Array(6).fill({ data: { tick: 42 } }));
    expect(serialisations).toBe(1);

    // A result with errors is not shared: graphql-ws serialises it per socket, as it always did.
    await until(() => server.waiting() === 6);
    server.next({ data: { tick: null }, errors: [new GraphQLError("boom", { path: ["tick"] })] });
    await until(() => received.every((list) => list.length === 4));
    expect(received[0]![2]).toEqual({ data: { tick: null }, errors: [{ message: "boom", path: ["tick"] }] });
  });

  it("sends text frames a plain WebSocket reads as the graphql-transport-ws protocol", async () => {
    const server = await start();
    cleanup.push(server.close);
    const socket = new WebSocket(server.url, "graphql-transport-ws");
    cleanup.push(async () => socket.terminate());
    const messages: { data: string; binary: boolean }[] = [];
    socket.on("message", (data, binary) => messages.push({ data: String(data), binary }));
    await once(socket, "open");
    socket.send(JSON.stringify({ type: "connection_init" }));
    await until(() => messages.length === 1);
    socket.send(JSON.stringify({ id: 'a"b', type: "subscribe", payload: { query: "subscription { tick }" } }));
    await until(() => server.waiting() === 1);
    server.next({ data: { tick: 7 } });
    await until(() => messages.length === 2);
    expect(messages.map((message) => message.binary)).toEqual([false, false]);
    expect(JSON.parse(messages[1]!.data)).toEqual({ id: 'a"b', type: "next", payload: { data: { tick: 7 } } });
    expect(server.subscribed()).toBe(1);
  });

  it("closes a socket with 4008 when more messages wait for it than the limit, and keeps the others", async () => {
    const server = await start({ maxQueuedMessages: 3, maxBufferedBytes: 1024 * 1024 });
    cleanup.push(server.close);
    const clients = [0, 1].map(() => {
      const state = { received: 0, closed: null as { code: number; reason: string } | null };
      const client = createClient({ url: server.url, webSocketImpl: WebSocket, retryAttempts: 0, on: { closed: (event) => (state.closed = event as typeof state.closed) } });
      cleanup.push(async () => client.dispose());
      client.subscribe({ query: "subscription { tick }" }, { next: () => state.received++, error: () => undefined, complete: () => undefined });
      return state;
    });
    await until(() => server.waiting() === 2);
    // The first socket gets ten messages within one turn of the event loop, more than may wait for it.
    const [first, second] = server.waitingList();
    first!(Array.from({ length: 10 }, (_, i) => ({ data: { tick: i } })));
    second!([{ data: { tick: 99 } }]);
    const slow = () => clients.find((client) => client.closed);
    await until(() => slow() !== undefined);
    expect(slow()!.closed).toMatchObject({ code: 4008, reason: "Slow consumer: more than 3 events waiting" });
    const other = clients.find((client) => !client.closed)!;
    await until(() => other.received === 1);
  });

  it("frames a direct lane's next messages itself, short, medium and long, and sends nothing once the operation completed", async () => {
    const lanes: NextLane[] = [];
    const server = await start(undefined, {
      onSubscribe: (ctx, id) => {
        lanes.push(ctx.extra.lanes.open(ctx, id));
      },
    });
    cleanup.push(server.close);
    const socket = new WebSocket(server.url, "graphql-transport-ws");
    cleanup.push(async () => socket.terminate());
    const messages: { data: string; binary: boolean }[] = [];
    socket.on("message", (data, binary) => messages.push({ data: String(data), binary }));
    await once(socket, "open");
    socket.send(JSON.stringify({ type: "connection_init" }));
    await until(() => messages.length === 1);
    socket.send(JSON.stringify({ id: 'a"b', type: "subscribe", payload: { query: "subscription { tick }" } }));
    await until(() => server.waiting() === 1 && lanes.length === 1);

    // Frame lengths below 126 bytes, below 64 KiB and above: the three length encodings of RFC 6455.
    const payloads = [{ data: { tick: 1 } }, { data: { tick: "é".repeat(500) } }, { data: { tick: "x".repeat(70_000) } }];
    // One frame, then a run of two in one buffer (one write), the second beyond 64 KiB.
    expect(lanes[0]!.next([payloads[0] as ExecutionResult])).toBe(true);
    expect(lanes[0]!.next(payloads.slice(1) as ExecutionResult[])).toBe(true);
    await until(() => messages.length === 4);
    expect(messages.slice(1).map((message) => message.binary)).toEqual([false, false, false]);
    expect(messages.slice(1).map((message) => JSON.parse(message.data))).toEqual(payloads.map((payload) => ({ id: 'a"b', type: "next", payload })));

    // The client completes the operation: the lane refuses what comes after, and nothing more arrives.
    // graphql-ws handles a connection's messages in order: once the pong is back, the complete has been handled.
    socket.send(JSON.stringify({ id: 'a"b', type: "complete" }));
    socket.send(JSON.stringify({ type: "ping" }));
    await until(() => messages.length === 5);
    expect(lanes[0]!.next([{ data: { tick: 2 } }])).toBe(false);
    socket.send(JSON.stringify({ type: "ping" }));
    await until(() => messages.length === 6);
    expect(messages.slice(4).map((message) => JSON.parse(message.data))).toEqual([{ type: "pong" }, { type: "pong" }]);
  });

  it("closes a socket with 4008 once more of a direct lane's bytes wait unread than the limit", async () => {
    const lanes: NextLane[] = [];
    const server = await start({ maxQueuedMessages: 100, maxBufferedBytes: 64 * 1024 }, {
      onSubscribe: (ctx, id) => {
        lanes.push(ctx.extra.lanes.open(ctx, id));
      },
    });
    cleanup.push(server.close);
    const socket = new WebSocket(server.url, "graphql-transport-ws");
    cleanup.push(async () => socket.terminate());
    let messages = 0;
    socket.on("message", () => messages++);
    await once(socket, "open");
    socket.send(JSON.stringify({ type: "connection_init" }));
    await until(() => messages === 1);
    socket.send(JSON.stringify({ id: "feed", type: "subscribe", payload: { query: "subscription { tick }" } }));
    await until(() => lanes.length === 1);

    // The client stops reading: the kernel's buffers fill, then what Node holds for the socket grows past 64 KiB.
    socket.pause();
    const frame = [{ data: { tick: "x".repeat(100_000) } }] as ExecutionResult[];
    for (let i = 0; i < 300; i++) lanes[0]!.next(frame);
    socket.resume();
    const [code, reason] = (await once(socket, "close")) as [number, Buffer];
    expect({ code, reason: String(reason) }).toEqual({ code: 4008, reason: "Slow consumer: more than 64 KiB unread" });
    // What was written before the bound was reached arrived, in whole frames; not all 300.
    expect(messages - 1).toBeGreaterThan(0);
    expect(messages - 1).toBeLessThan(300);
  });

  it("terminates a socket that leaves a keep-alive ping unanswered, and keeps one that answers", async () => {
    const server = await start(undefined, {}, 160);
    cleanup.push(server.close);
    const answering = new WebSocket(server.url, "graphql-transport-ws");
    const silent = new WebSocket(server.url, "graphql-transport-ws", { autoPong: false });
    for (const socket of [answering, silent]) cleanup.push(async () => socket.terminate());
    await Promise.all([once(answering, "open"), once(silent, "open")]);
    let pings = 0;
    silent.on("ping", () => pings++);
    const [code] = (await once(silent, "close")) as [number];
    // Pinged once, found unanswered on the next visit: closed without a close frame.
    expect(code).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(answering.readyState).toBe(WebSocket.OPEN);
  });

  it("gives a socket its whole keep-alive interval to answer, however few sockets the sweep has to visit", async () => {
    const keepAliveMs = 400;
    const server = await start(undefined, {}, keepAliveMs);
    cleanup.push(server.close);
    // Answers each ping after half the interval: late for a sweep that comes round every keepAliveMs / 8 or so.
    const slow = new WebSocket(server.url, "graphql-transport-ws", { autoPong: false });
    cleanup.push(async () => slow.terminate());
    await once(slow, "open");
    let pongs = 0;
    slow.on("ping", () => {
      setTimeout(() => {
        if (slow.readyState === WebSocket.OPEN) {
          slow.pong();
          pongs++;
        }
      }, keepAliveMs / 2);
    });
    await until(() => pongs >= 3 || slow.readyState !== WebSocket.OPEN);
    expect(slow.readyState).toBe(WebSocket.OPEN);
  });
});

/**
 * Redis going away and coming back, between two instances. Both reach Redis through a TCP proxy this test can cut,
 * so the shared Redis other tests use is never touched.
 */
import net from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { appendOutbox } from "../../src/events/outbox";
import { transactionEvent } from "../../src/events/transaction-events";
import { assertOrderedOnce, captureOneOre, collect, connect, createReservedPayment, latestCursor, redisPrefix, REDIS_URL, waitFor, type Connection } from "./support";

interface Proxy {
  url: string;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startProxy(targetUrl: string): Promise<Proxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let accepting = true;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (!accepting) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () => {
      accepting = false;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      accepting = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let proxy: Proxy;
let a: TestGateway;
let b: TestGateway;
let connection: Connection;
const prefix = redisPrefix();

beforeAll(async () => {
  proxy = await startProxy(REDIS_URL);
  b = await startTestGateway({ REDIS_URL: proxy.url, REDIS_CHANNEL_PREFIX: prefix });
  a = await startTestGateway({ REDIS_URL: proxy.url, REDIS_CHANNEL_PREFIX: prefix, OUTBOX_RELAY: "false", OUTBOX_POLL_INTERVAL_MS: "200" }, { sharing: b });
  await waitFor("both instances connected to Redis", () => a.services.events.bus.connected && b.services.events.bus.connected);
});
afterAll(async () => {
  await connection?.dispose();
  await a?.stop();
  await b?.stop();
  await proxy?.close();
});

describe("a Redis outage", () => {
  it("falls back to reading the outbox while Redis is away and uses Redis again once it is back", async () => {
    const db = b.services.db;
    const payment = await createReservedPayment(db, "751312");
    connection = connect(a.url, await a.login("no-admin"));
    const subscriber = collect(connection, { after: await latestCursor(db) });
    // Instance A relays nothing itself: every announcement it hears came through Redis.
    let fromRedis = 0;
    const stopListening = a.services.events.bus.onNews((why) => (fromRedis += why === "announced" ? 1 : 0));

    await captureOneOre(db, payment.id);
    await waitFor("the event before the outage, through Redis", () => subscriber.events.length === 1 && fromRedis === 1);

    proxy.cut();
    await waitFor("both instances to notice the outage", () => !a.services.events.bus.connected && !b.services.events.bus.connected);
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    await waitFor("the events written during the outage", () => subscriber.events.length === 4);
    expect(fromRedis).toBe(1);

    proxy.restore();
    await waitFor("both instances to reconnect by themselves", () => a.services.events.bus.connected && b.services.events.bus.connected);
    let written = 4;
    // Resubscribing follows the reconnect closely; an event published in between is read from the outbox instead.
    for (let attempt = 0; attempt < 10 && fromRedis === 1; attempt++) {
      await captureOneOre(db, payment.id);
      written++;
      await waitFor("the event after the outage", () => subscriber.events.length === written);
    }
    stopListening();
    expect(fromRedis).toBeGreaterThan(1);
    expect(subscriber.errors).toEqual([]);
    expect(connection.closed).toBeNull();
    assertOrderedOnce(subscriber.events);
  });
});

describe("a message on the Redis channel", () => {
  it("delivers nothing forged and still delivers the real event with the sequence number the forgery claimed", async () => {
    const db = b.services.db;
    const payment = await createReservedPayment(db, "751312");
    const forgedConnection = connect(a.url, await a.login("no-admin"));
    try {
      const subscriber = collect(forgedConnection, { after: await latestCursor(db) });
      await captureOneOre(db, payment.id);
      await waitFor("the first real event", () => subscriber.events.length === 1);

      // What the old fan-out accepted as the next event: a CAPTURED of 9 999.00 that never happened.
      const { _max } = await db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
      const row = await db.transaction.findUniqueOrThrow({ where: { id: payment.id } });
      const forged = transactionEvent({ ...row, capturedAmount: 999_900, version: row.version + 1 }, "CAPTURED", 999_899, new Date());
      const record = { ...forged, id: "999999999", seq: String((_max.deliverySeq ?? 0n) + 1n), createdAt: new Date().toISOString() };
      const redis = new Redis(REDIS_URL);
      try {
        await redis.publish(`${prefix}:outbox`, JSON.stringify([record]));
      } finally {
        redis.disconnect();
      }
      await captureOneOre(db, payment.id);
      await waitFor("the second real event", () => subscriber.events.length >= 2);
      // One more real event after it: had anything forged been queued, it would be out by now.
      await db.$transaction(async (tx) => {
        const updated = await tx.transaction.update({ where: { id: payment.id }, data: { capturedAmount: { increment: 1 }, version: { increment: 1 } } });
        await appendOutbox(tx, transactionEvent(updated, "CAPTURED", 1, new Date()));
      });
      await waitFor("the third real event", () => subscriber.events.length >= 3);

      expect(subscriber.errors).toEqual([]);
      expect(subscriber.events.map((event) => event.transaction.capturedAmount)).toEqual([1, 2, 3]);
      assertOrderedOnce(subscriber.events);
    } finally {
      await forgedConnection.dispose();
    }
  });
});

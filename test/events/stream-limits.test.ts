/** Caps on live connections per principal and per address, and the slow-consumer bound on SSE streams. */
import net from "node:net";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient as createSseClient } from "graphql-sse";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { transactionEvent } from "../../src/events/transaction-events";
import { captureOneOre, collect, connect, createReservedPayment, latestCursor, SUBSCRIPTION, waitFor, type Connection } from "./support";

const QUEUE_LIMIT = 5;
let gateway: TestGateway;
const connections: Connection[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({ SUBSCRIPTION_QUEUE_LIMIT: String(QUEUE_LIMIT), MAX_CONNECTIONS_PER_PRINCIPAL: "2", MAX_CONNECTIONS_PER_ADDRESS: "3" });
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await gateway?.stop();
});

async function open(persona: string): Promise<Connection> {
  const connection = connect(gateway.url, await gateway.token(persona));
  connections.push(connection);
  return connection;
}

const held = () => gateway.services.events.connections.heldBy("127.0.0.1");

async function closeAll(): Promise<void> {
  for (const connection of connections.splice(0)) await connection.dispose();
  await waitFor("every live connection to be released", () => held() === 0 && gateway.services.events.feed.size === 0);
}

describe("connection caps", () => {
  it("refuses a principal's connection beyond MAX_CONNECTIONS_PER_PRINCIPAL with 4429 and admits it again once one closes", async () => {
    const after = await latestCursor(gateway.services.db);
    const first = collect(await open("no-admin"), { after });
    const second = collect(await open("no-admin"), { after });
    await waitFor("two subscriptions", () => gateway.services.events.feed.size === 2);
    const third = await open("no-admin");
    collect(third, { after });
    const closed = await waitFor("the refusal", () => third.closed);
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/^Too many connections: You already hold 2 live connections/);

    const payment = await createReservedPayment(gateway.services.db, "751312");
    await captureOneOre(gateway.services.db, payment.id);
    await waitFor("the event on both admitted connections", () => first.events.length === 1 && second.events.length === 1);

    await connections[0]!.dispose();
    await waitFor("the closed connection to be released", () => held() === 2);
    const again = await open("no-admin");
    const resumed = collect(again, { after });
    await waitFor("the replay on the connection admitted after one closed", () => resumed.events.length === 1);
    expect(again.closed).toBeNull();
    await closeAll();
  });

  it("refuses connections beyond MAX_CONNECTIONS_PER_ADDRESS, whoever opens them", async () => {
    const after = await latestCursor(gateway.services.db);
    for (const persona of ["no-admin", "dk-admin", "fi-admin"]) collect(await open(persona), { after });
    await waitFor("three subscriptions", () => gateway.services.events.feed.size === 3);
    const fourth = await open("no-sum");
    collect(fourth, { after });
    const closed = await waitFor("the refusal", () => fourth.closed);
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/^Too many connections: Your address already holds 3/);
    await closeAll();
  });

  it("counts SSE streams against the same caps as WebSocket connections", async () => {
    const after = await latestCursor(gateway.services.db);
    for (let i = 0; i < 2; i++) collect(await open("no-sum"), { after });
    await waitFor("two subscriptions", () => gateway.services.events.feed.size === 2);
    // Yoga's own SSE on /graphql reports a refused subscription as a GraphQL error (as /graphql/stream does, below).
    const client = createSseClient({ url: `${gateway.url}/graphql`, headers: { authorization: `Bearer ${await gateway.token("no-sum")}` }, retryAttempts: 0 });
    const errors: unknown[] = [];
    const stop = client.subscribe({ query: SUBSCRIPTION, variables: { after } }, { next: (result) => errors.push(...(result.errors ?? [])), error: (error) => errors.push(error), complete: () => undefined });
    try {
      await waitFor("the refusal", () => errors.length > 0);
      expect(JSON.stringify(errors)).toContain("TOO_MANY_CONNECTIONS");
    } finally {
      stop();
      client.dispose();
    }
    await closeAll();
  });
});

describe("what the caps count", () => {
  it("counts a subscription streamed on /graphql whatever its Accept header, and graphql-sse's single connection mode is refused", async () => {
    const after = await latestCursor(gateway.services.db);
    const token = await gateway.token("no-sum");
    const body = JSON.stringify({ query: SUBSCRIPTION, variables: { after } });
    const streams: AbortController[] = [];
    const stream = async (accept: string | null) => {
      const abort = new AbortController();
      streams.push(abort);
      const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${token}` };
      if (accept !== null) headers.accept = accept;
      return fetch(`${gateway.url}/graphql`, { method: "POST", headers, body, signal: abort.signal });
    };
    try {
      // Yoga streams a subscription for each of these; every one is a live stream the caps must see.
      for (const [i, accept] of [null, "*/*"].entries()) {
        const response = await stream(accept);
        expect(response.headers.get("content-type")).toContain("text/event-stream");
        await waitFor(`stream ${i + 1} to be counted`, () => held() === i + 1);
      }
      const refused = await stream("TEXT/EVENT-STREAM");
      const reader = refused.body!.getReader();
      let text = "";
      while (!text.includes("TOO_MANY_CONNECTIONS")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain("TOO_MANY_CONNECTIONS");
      expect(held()).toBe(2);
    } finally {
      for (const abort of streams) abort.abort();
    }
    await waitFor("the streams to be released", () => held() === 0 && gateway.services.events.feed.size === 0);

    const reservation = await fetch(`${gateway.url}/graphql/stream`, { method: "PUT", headers: { authorization: `Bearer ${token}` } });
    expect(reservation.status).toBe(405);
    expect(await reservation.json()).toMatchObject({ error: "SINGLE_CONNECTION_MODE_UNSUPPORTED" });
  });

  it("gives back the place of a WebSocket that closes while its connection_init is being checked", async () => {
    const token = await gateway.token("no-admin");
    // The check reads the principal from the database: a socket dropped a moment after its init closes meanwhile.
    for (let i = 0; i < 12; i++) {
      const socket = new WebSocket(`${gateway.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      await new Promise((resolve) => setTimeout(resolve, i % 4));
      socket.terminate();
    }
    // Past the caps (2 per principal, 3 per address) if any of the six kept its place.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(held()).toBe(0);
    const connection = await open("no-admin");
    collect(connection, { after: await latestCursor(gateway.services.db) });
    await waitFor("a subscription on a new connection", () => gateway.services.events.feed.size === 1);
    expect(connection.closed).toBeNull();
    await closeAll();
  });
});

describe("refusals on /graphql/stream", () => {
  const stream = async (body: unknown, token: string | null) => {
    const response = await fetch(`${gateway.url}/graphql/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
  };

  it.each([
    ["a document that does not parse", { query: "subscription {" }, false, "Syntax Error"],
    ["a document that does not validate", { query: "subscription { nope }" }, true, "GRAPHQL_VALIDATION_FAILED"],
    ["a subscription without a token", { query: SUBSCRIPTION }, false, "UNAUTHENTICATED"],
    ["an argument the subscription refuses", { query: SUBSCRIPTION, variables: { after: "zz" } }, true, "after"],
  ])("answers %s as the protocol says: a result with its errors, then complete, on the stream", async (_what, body, withToken, expected) => {
    const answer = await stream(body, withToken ? await gateway.token("no-admin") : null);
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/event-stream/);
    const next = /event: next\ndata: (.*)\n/.exec(answer.text);
    expect(next, answer.text).not.toBeNull();
    const result = JSON.parse(next![1]!) as { data: unknown; errors: { message: string; extensions?: { code?: string } }[] };
    expect(result.data).toBeNull();
    expect(JSON.stringify(result.errors)).toContain(expected);
    expect(answer.text).toContain("event: complete");
    expect(answer.text).not.toMatch(/\n\s+at /);
    await waitFor("the stream's place to be given back", () => held() === 0);
  });

  it("masks an unexpected error before the operation runs, as the other transports do", async () => {
    const token = await gateway.token("no-admin");
    const spy = vi.spyOn(gateway.services.tokens, "verify").mockRejectedValueOnce(new Error("an internal detail"));
    try {
      const answer = await stream({ query: SUBSCRIPTION }, token);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("INTERNAL_SERVER_ERROR");
      expect(answer.text).not.toContain("an internal detail");
      expect(answer.text).toContain("event: complete");
    } finally {
      spy.mockRestore();
    }
  });
});

describe("shutting down", () => {
  it("cuts event streams instead of completing them, so their clients come back", async () => {
    const other = await startTestGateway({}, { sharing: gateway });
    let text = "";
    let ended: "complete" | "cut" | null = null;
    try {
      const response = await fetch(`${other.url}/graphql/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${await other.token("no-admin")}` },
        body: JSON.stringify({ query: SUBSCRIPTION, variables: { after: await latestCursor(gateway.services.db) } }),
      });
      const reader = response.body!.getReader();
      const reading = (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return "complete" as const;
            text += Buffer.from(value).toString("utf8");
          }
        } catch {
          return "cut" as const;
        }
      })();
      await waitFor("the subscription", () => other.services.events.feed.size === 1);
      await other.stop();
      ended = await reading;
    } finally {
      if (ended === null) await other.stop();
    }
    expect(text).not.toContain("event: complete");
    expect(ended).toBe("cut");
  });
});

describe("a database outage at connection_init", () => {
  it("closes with 1013 (try again later), which clients retry, not 4500, which graphql-ws's client never retries", async () => {
    const token = await gateway.token("dk-admin");
    const spy = vi.spyOn(gateway.services.db, "$queryRaw").mockRejectedValueOnce(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }));
    try {
      const socket = new WebSocket(`${gateway.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
      const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      expect(await closed).toBe(1013);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    await waitFor("its place to be given back", () => held() === 0);
  });
});

describe("subscription ids", () => {
  it("refuses an id reused while its earlier operation is still being set up, and leaves no subscriber behind", async () => {
    const token = await gateway.token("no-admin");
    const after = await latestCursor(gateway.services.db);
    // The last rounds spell the second subscribe's type with a JSON escape: what graphql-ws parses is all that counts.
    for (const spelling of ['"subscribe"', '"subscribe"', '"subscribe"', '"\\u0073ubscribe"']) {
      const socket = new WebSocket(`${gateway.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
      const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
      const acknowledged = new Promise<void>((resolve) => socket.on("message", (data) => String(data).includes("connection_ack") && resolve()));
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      await acknowledged;
      const subscribe = JSON.stringify({ id: "1", type: "subscribe", payload: { query: SUBSCRIPTION, variables: { after } } });
      // Back to back: the first operation is still setting up when the id comes again.
      socket.send(subscribe);
      socket.send(JSON.stringify({ id: "1", type: "complete" }));
      socket.send(subscribe.replace('"subscribe"', spelling));
      expect(await closed).toBe(4409);
      await waitFor("the connection and its subscribers to be released", () => held() === 0 && gateway.services.events.feed.size === 0);
    }
  });
});

describe("a slow SSE client", () => {
  it("is ended once more than SUBSCRIPTION_QUEUE_LIMIT events wait for it, instead of being buffered without bound", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    const body = JSON.stringify({ query: SUBSCRIPTION, variables: { after: await latestCursor(db) } });
    const { port } = new URL(gateway.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    // A client that sends its request and then reads nothing.
    socket.pause();
    socket.write(
      [
        "POST /graphql/stream HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        "Content-Type: application/json",
        "Accept: text/event-stream",
        `Authorization: Bearer ${await gateway.token("no-admin")}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
    );
    try {
      await waitFor("the stream's subscription", () => gateway.services.events.feed.size === 1);
      // Far more than the socket buffers hold, so the server has to keep them somewhere or let go of the client.
      const burst = 20_000;
      const row = await db.transaction.findUniqueOrThrow({ where: { id: payment.id } });
      const payload = JSON.stringify(transactionEvent({ ...row, status: "CAPTURED", capturedAmount: 1 }, "CAPTURED", 1, new Date()).payload);
      await db.$executeRaw`
        INSERT INTO "OutboxEvent" (type, "aggregateType", "aggregateId", "merchantId", "salesUnitId", payload)
        SELECT 'transaction.CAPTURED', 'Transaction', ${payment.id}::uuid, ${payment.merchantId}::uuid, ${payment.salesUnitId}::uuid, ${payload}::jsonb
        FROM generate_series(1, ${burst})`;
      await db.$executeRaw`SELECT pg_notify('outbox_event', '')`;

      await waitFor("the slow stream to be ended", () => gateway.services.events.feed.size === 0, 60_000);
      socket.resume();
      let received = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
      await waitFor("the server to close the connection", () => socket.readableEnded || socket.destroyed, 30_000);
      expect(received.split("event: next").length - 1).toBeLessThan(burst);
    } finally {
      socket.destroy();
    }
  });
});

/** The WebSocket connection's own rules: the token at connection_init and its expiry, the operation cap, slow consumers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { appendOutbox } from "../../src/events/outbox";
import { transactionEvent } from "../../src/events/transaction-events";
import { captureOneOre, collect, connect, createReservedPayment, latestCursor, waitFor, type Collector, type Connection } from "./support";

const QUEUE_LIMIT = 5;
let gateway: TestGateway;
const connections: Connection[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({ MAX_SUBSCRIPTIONS_PER_CONNECTION: "2", SUBSCRIPTION_QUEUE_LIMIT: String(QUEUE_LIMIT) });
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await gateway?.stop();
});

function open(token: string | null): Connection {
  const connection = connect(gateway.url, token);
  connections.push(connection);
  return connection;
}

describe("WebSocket connections", () => {
  it("closes a connection whose token does not verify at connection_init, with 4401", async () => {
    const token = await gateway.login("no-admin");
    const connection = open(`${token.slice(0, -4)}AAAA`);
    collect(connection);
    const closed = await waitFor("the close", () => connection.closed);
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/^Unauthorized: /);
  });

  it("closes the socket with 4401 when its token expires", async () => {
    const persona = gateway.persona("no-admin");
    const user = await gateway.services.db.portalUser.findUniqueOrThrow({ where: { nin: persona.nin! } });
    // Long enough for the first event to arrive on a busy machine, short enough to watch it run out.
    const token = await gateway.services.tokens.issue({ kind: "user", userId: user.id, method: "BANKID_NO" }, 6);
    const connection = open(token);
    const subscriber = collect(connection, { after: await latestCursor(gateway.services.db) });
    const payment = await createReservedPayment(gateway.services.db, "751312");
    await captureOneOre(gateway.services.db, payment.id);
    await waitFor("an event while the token is valid", () => subscriber.events.length === 1);

    const closed = await waitFor("the close at expiry", () => connection.closed, 15_000);
    expect(closed).toEqual({ code: 4401, reason: "Token expired: reconnect with a fresh token" });
  });

  it("refuses operations beyond MAX_SUBSCRIPTIONS_PER_CONNECTION and keeps serving the others", async () => {
    const connection = open(await gateway.login("no-admin"));
    const after = await latestCursor(gateway.services.db);
    const running = [collect(connection, { after }), collect(connection, { after })];
    const refused = collect(connection, { after });
    await waitFor("the refusal", () => refused.errors.length > 0);
    expect(refused.errors[0]?.extensions?.code).toBe("TOO_MANY_SUBSCRIPTIONS");

    const payment = await createReservedPayment(gateway.services.db, "751312");
    await captureOneOre(gateway.services.db, payment.id);
    await waitFor("the event on both running subscriptions", () => running.every((subscriber) => subscriber.events.length === 1));
    expect(connection.closed).toBeNull();
  });

  it("closes a subscriber with more than SUBSCRIPTION_QUEUE_LIMIT events waiting, with 4008", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    const connection = open(await gateway.login("no-admin"));
    const subscriber = collect(connection, { salesUnitIds: [encodeGlobalID("SalesUnit", payment.salesUnitId)], after: await latestCursor(db) });
    await captureOneOre(db, payment.id);
    await waitFor("the subscription to run live", () => subscriber.events.length === 1);

    // One burst far larger than the queue: whatever the socket manages to send, the rest has to wait.
    await db.$transaction(async (tx) => {
      for (let i = 0; i < QUEUE_LIMIT * 10; i++) {
        const row = await tx.transaction.update({ where: { id: payment.id }, data: { capturedAmount: { increment: 1 }, status: "CAPTURED", version: { increment: 1 } } });
        await appendOutbox(tx, transactionEvent(row, "CAPTURED", 1, new Date()));
      }
    });

    const closed = await waitFor("the close", () => connection.closed);
    expect(closed.code).toBe(4008);
    expect(closed.reason).toBe(`Slow consumer: more than ${QUEUE_LIMIT} events waiting`);
    expect(subscriber.events.length).toBeLessThan(1 + QUEUE_LIMIT * 10);
  });

  it.each([
    ["a document that does not parse", "subscription { transactionEvents { id "],
    ["a document over the token limit", `subscription { transactionEvents { ${"id ".repeat(6000)}} }`],
    ["a document that does not validate", "subscription { transactionEvents { noSuchField } }"],
  ])("answers %s with an error message for that operation and keeps the connection's other subscriptions", async (_what, query) => {
    const connection = open(await gateway.login("no-admin"));
    const good = collect(connection, { after: await latestCursor(gateway.services.db) });
    const bad: Collector = { events: [], errors: [], completed: false, stop: () => undefined };
    connection.client.subscribe({ query }, { next: () => undefined, error: (error) => bad.errors.push(...((Array.isArray(error) ? error : [error]) as Collector["errors"])), complete: () => undefined });
    await waitFor("the bad operation's error", () => bad.errors.length > 0);
    expect(bad.errors[0]?.message).toEqual(expect.any(String));

    const payment = await createReservedPayment(gateway.services.db, "751312");
    await captureOneOre(gateway.services.db, payment.id);
    await waitFor("the event on the good subscription", () => good.events.length === 1);
    expect(good.errors).toEqual([]);
    expect(connection.closed).toBeNull();
  });
});

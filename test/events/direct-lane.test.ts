/**
 * The live feed's direct lane (src/events/feed.ts, `FeedSubscription.lane`; src/events/graphql-ws-server.ts,
 * `NextLanes`): once a graphql-ws subscriber of `transactionEvents` has caught up, the feed sends each live event's
 * shared result to its socket itself. These tests hold that the lane is really taken, and that it keeps every rule of
 * the slow path: per-batch authorisation, the resume seam, order and de-duplication, and the slow-consumer close.
 */
import { randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { NextLanes } from "../../src/events/graphql-ws-server";
import { appendOutbox } from "../../src/events/outbox";
import { transactionEvent } from "../../src/events/transaction-events";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { assertOrderedOnce, captureOneOre, collect, connect, createReservedPayment, latestCursor, waitFor, type Connection } from "./support";

let gateway: TestGateway;
const connections: Connection[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({ SUBSCRIPTION_QUEUE_LIMIT: "5" });
});
afterAll(async () => {
  await gateway?.stop();
});
// Each test counts the lane's deliveries: no subscriber of an earlier test may add to them.
afterEach(async () => {
  vi.restoreAllMocks();
  for (const connection of connections.splice(0)) await connection.dispose();
  await waitFor("the earlier tests' subscriptions to end", () => gateway.services.events.feed.size === 0);
});

async function connectAs(persona: string): Promise<Connection> {
  const connection = connect(gateway.url, await gateway.login(persona));
  connections.push(connection);
  return connection;
}

const unitId = (payment: { salesUnitId: string }) => encodeGlobalID("SalesUnit", payment.salesUnitId);

/** Messages sent through the lane: one call may carry several (a batch's events, or a round that caught up). */
const sentThrough = (lane: { mock: { calls: Parameters<NextLanes["next"]>[] } }) => lane.mock.calls.reduce((count, call) => count + call[3].length, 0);

describe("the live feed's direct lane", () => {
  it("sends live events of caught-up subscribers through the lane, each its own, and ends one that loses access", async () => {
    const db = gateway.services.db;
    const persona = gateway.persona("no-assistant-tm");
    const payment = await createReservedPayment(db, "751312");
    const after = await latestCursor(db);
    const admin = collect(await connectAs("no-admin"), { after });
    const assistant = collect(await connectAs("no-assistant-tm"), { salesUnitIds: [unitId(payment)], after });
    await captureOneOre(db, payment.id);
    await waitFor("the first event on both", () => admin.events.length === 1 && assistant.events.length === 1);

    const lane = vi.spyOn(NextLanes.prototype, "next");
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    await waitFor("three more events on both", () => admin.events.length === 4 && assistant.events.length === 4);
    // Both subscribers are live by now: every one of these deliveries went through the lane, none through graphql-ws.
    expect(sentThrough(lane)).toBe(6);
    expect(assistant.events.map((event) => event.transaction.capturedAmount)).toEqual([1, 2, 3, 4]);
    assertOrderedOnce(admin.events);

    // The assistant's membership loses the sales unit: the next batch is refused to it, on the lane as on the slow path.
    const user = await db.portalUser.findUniqueOrThrow({ where: { nin: persona.nin! } });
    await db.membershipSalesUnit.deleteMany({ where: { salesUnitId: payment.salesUnitId, membership: { userId: user.id } } });
    lane.mockClear();
    await captureOneOre(db, payment.id);
    await waitFor("the end of the assistant's subscription", () => assistant.errors.length > 0);
    await waitFor("the event on the administrator's", () => admin.events.length === 5);
    expect(assistant.errors[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(assistant.events).toHaveLength(4);
    expect(sentThrough(lane)).toBe(1);
    expect(admin.errors).toEqual([]);
  });

  it("replays from `after`, then takes the lane without a gap or a repeat while events keep coming", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    const after = await latestCursor(db);
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    await waitFor("the relay to number the three", async () => (await latestCursor(db)) !== after);

    const lane = vi.spyOn(NextLanes.prototype, "next");
    const resumed = collect(await connectAs("no-admin"), { salesUnitIds: [unitId(payment)], after });
    // These land while the replay runs: the seam between replay and live.
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    await waitFor("six events", () => resumed.events.length >= 6);
    for (let i = 0; i < 2; i++) await captureOneOre(db, payment.id);
    await waitFor("eight events", () => resumed.events.length >= 8);

    expect(resumed.errors).toEqual([]);
    assertOrderedOnce(resumed.events);
    expect(resumed.events.map((event) => event.transaction.capturedAmount)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Replayed events go through the lane too (a frame each), so every delivery is counted there.
    expect(sentThrough(lane)).toBe(8);
  });

  it("closes a subscriber on the lane with 4008 when more events wait for its socket than SUBSCRIPTION_QUEUE_LIMIT", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    const connection = await connectAs("no-admin");
    const subscriber = collect(connection, { salesUnitIds: [unitId(payment)], after: await latestCursor(db) });
    await captureOneOre(db, payment.id);
    await waitFor("the subscription to run live", () => subscriber.events.length === 1);

    const lane = vi.spyOn(NextLanes.prototype, "next");
    // One transaction of twenty events: one relay batch, written to the socket within one turn of the event loop.
    await db.$transaction(async (tx) => {
      for (let i = 0; i < 20; i++) {
        const row = await tx.transaction.update({ where: { id: payment.id }, data: { capturedAmount: { increment: 1 }, status: "CAPTURED", version: { increment: 1 } } });
        await appendOutbox(tx, transactionEvent(row, "CAPTURED", 1, new Date()));
      }
    });
    const closed = await waitFor("the close", () => connection.closed);
    expect(closed).toEqual({ code: 4008, reason: "Slow consumer: more than 5 events waiting" });
    expect(lane).toHaveBeenCalled();
    expect(subscriber.events.length).toBeLessThan(21);
  });

  it("sends a result with errors on the lane as a next message with its errors, and goes on", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    const connection = await connectAs("no-admin");
    const subscriber = collect(connection, { salesUnitIds: [unitId(payment)], after: await latestCursor(db) });
    await captureOneOre(db, payment.id);
    await waitFor("the subscription to run live", () => subscriber.events.length === 1);

    const lane = vi.spyOn(NextLanes.prototype, "next");
    // An event of a payment that does not exist: its `transaction` field fails, so the result carries an error.
    const row = await db.transaction.findUniqueOrThrow({ where: { id: payment.id } });
    await db.$transaction((tx) => appendOutbox(tx, transactionEvent({ ...row, id: randomUUID() }, "CAPTURED", 1, new Date())));
    await captureOneOre(db, payment.id);
    // The failed event arrives as `transactionEvents: null` with the error beside it.
    await waitFor("the error and the next event", () => subscriber.errors.length === 1 && subscriber.events.length === 3);
    expect(subscriber.errors[0]!.message).toMatch(/does not exist|Unexpected error/);
    expect(subscriber.events.map((event) => event?.transaction.capturedAmount ?? null)).toEqual([1, null, 2]);
    expect(sentThrough(lane)).toBe(2);
    expect(connection.closed).toBeNull();
  });

  it("admits a batch once per group of one principal's like subscriptions, and sends every member its own events", async () => {
    const db = gateway.services.db;
    const feed = gateway.services.events.feed;
    const payment = await createReservedPayment(db, "751312");
    const start = await latestCursor(db);
    const tokens = [await gateway.login("no-admin"), await gateway.login("no-admin")];
    const open = (token = tokens[0]!) => {
      const connection = connect(gateway.url, token);
      connections.push(connection);
      return connection;
    };
    // Three dashboards of one principal (two of them on one token) asking the same of one unit, one following every
    // unit, and another principal's.
    const alike = tokens.concat(tokens[1]!).map((token) => collect(open(token), { salesUnitIds: [unitId(payment)], after: start }));
    const everyUnit = collect(open(), { after: start });
    const manager = collect(await connectAs("no-sum-tm"), { salesUnitIds: [unitId(payment)], after: start });
    await waitFor("five subscriptions", () => feed.size === 5);
    expect(feed.groupCount).toBe(3);

    const lane = vi.spyOn(NextLanes.prototype, "next");
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    const all = [...alike, everyUnit, manager];
    await waitFor("three events on every subscription", () => all.every((subscriber) => subscriber.events.length === 3));
    for (const subscriber of all) {
      expect(subscriber.events.map((event) => event.transaction.capturedAmount)).toEqual([1, 2, 3]);
      expect(subscriber.errors).toEqual([]);
    }
    expect(sentThrough(lane)).toBe(15);

    // One member leaves; a newcomer of the same group replays from the start and joins it without a gap or a repeat.
    alike[0]!.stop();
    const late = collect(open(), { salesUnitIds: [unitId(payment)], after: start });
    await waitFor("the late subscription's replay", () => late.events.length === 3);
    expect(feed.groupCount).toBe(3);
    await captureOneOre(db, payment.id);
    await waitFor("the fourth event", () => [alike[1]!, alike[2]!, late, everyUnit, manager].every((subscriber) => subscriber.events.length === 4));
    expect(alike[0]!.events).toHaveLength(3);
    for (const subscriber of [alike[1]!, alike[2]!, late]) {
      expect(subscriber.events.map((event) => event.transaction.capturedAmount)).toEqual([1, 2, 3, 4]);
      assertOrderedOnce(subscriber.events);
    }
  });
  it("shares a result only between subscribers whose variables select the same: an omitted variable (its default) is not an explicit null", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    for (const name of ["Kasse 1", "Kasse 2", "Kasse 3"].map((n) => `${n} ${randomUUID().slice(0, 8)}`)) {
      await db.qrCode.create({ data: { salesUnitId: payment.salesUnitId, name, url: "https://fjordkaffe.no/qr" } });
    }
    const query = `subscription($after: ID, $n: Int = 1) { transactionEvents(after: $after) { id salesUnit { qrCodes(first: $n) { nodes { id } } } } }`;
    const after = await latestCursor(db);
    const pages: Record<string, number[]> = { omitted: [], null: [] };
    for (const [key, variables] of [["omitted", { after }], ["null", { after, n: null }]] as const) {
      const connection = await connectAs("no-admin");
      connection.client.subscribe<{ transactionEvents: { salesUnit: { qrCodes: { nodes: unknown[] } } } }>(
        { query, variables },
        { next: (result) => pages[key]!.push(result.data?.transactionEvents.salesUnit.qrCodes.nodes.length ?? -1), error: () => undefined, complete: () => undefined },
      );
    }
    await waitFor("both subscriptions", () => gateway.services.events.feed.size === 2);
    await captureOneOre(db, payment.id);
    await waitFor("the event on both", () => pages.omitted!.length === 1 && pages.null!.length === 1);
    // `first: 1` from the default, and `first: null`: the default page of 20.
    expect(pages.omitted).toEqual([1]);
    expect(pages.null![0]).toBeGreaterThanOrEqual(3);
  });
});

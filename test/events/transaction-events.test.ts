/**
 * The live transaction feed end to end: two gateway instances on one database, fanning out through Redis. Clients
 * subscribe on instance A, which runs no relay and reads the outbox only once a minute, so what reaches them
 * promptly was relayed by instance B and came through Redis.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { createClient as createSseClient } from "graphql-sse";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate as mutateVia, succeeded } from "../support/mutate";
import {
  assertOrderedOnce,
  captureOneOre,
  collect,
  connect,
  createReservedPayment,
  latestCursor,
  redisPrefix,
  REDIS_URL,
  SUBSCRIPTION,
  unitByMsn,
  waitFor,
  type Connection,
  type EventData,
} from "./support";

let a: TestGateway;
let b: TestGateway;
const connections: Connection[] = [];

beforeAll(async () => {
  const prefix = redisPrefix();
  b = await startTestGateway({ REDIS_URL, REDIS_CHANNEL_PREFIX: prefix });
  a = await startTestGateway({ REDIS_URL, REDIS_CHANNEL_PREFIX: prefix, OUTBOX_RELAY: "false", OUTBOX_POLL_INTERVAL_MS: "60000" }, { sharing: b });
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await a?.stop();
  await b?.stop();
});

async function connectAs(gateway: TestGateway, persona: string): Promise<Connection> {
  const connection = connect(gateway.url, await gateway.login(persona));
  connections.push(connection);
  return connection;
}

const globalUnitId = (id: string) => encodeGlobalID("SalesUnit", id);
const globalPaymentId = (payment: { id: string }) => encodeGlobalID("Transaction", payment.id);

/** One mutation through the shared helper, answering the changed object's id. */
async function mutate(token: string, name: string, input: Record<string, unknown>): Promise<{ id: string }> {
  return succeeded(await mutateVia<{ id: string }>(b, token, name, input));
}

describe("transactionEvents across two instances", () => {
  it("delivers changes made through the other instance, with the payment's status and amounts after each", async () => {
    const token = await b.login("no-admin");
    const unit = await b.services.db.salesUnit.findFirstOrThrow({
      where: { merchant: { name: "Fjordkaffe AS" }, environment: "TEST", status: "ACTIVE", directCapture: false },
    });
    const subscriber = collect(await connectAs(a, "no-admin"), { salesUnitIds: [globalUnitId(unit.id)], after: await latestCursor(a.services.db) });

    const payment = await mutate(token, "requestPayment", {
      salesUnitId: globalUnitId(unit.id),
      amount: 5000,
      phoneNumber: "+4791234567",
      reference: `live-${randomUUID().slice(0, 8)}`,
      description: "Kaffe og kanelbolle",
      idempotencyKey: randomUUID(),
    });
    await mutate(token, "simulateCustomerAction", { transactionId: payment.id, action: "APPROVE" });
    await mutate(token, "captureTransaction", { transactionId: payment.id, amount: 3000, idempotencyKey: randomUUID() });
    await mutate(token, "refundTransaction", { transactionId: payment.id, amount: 1000, idempotencyKey: randomUUID() });

    await waitFor("four events on instance A", () => subscriber.events.length >= 4);
    expect(subscriber.errors).toEqual([]);
    expect(subscriber.events.map((event) => [event.type, event.operationAmount, event.transaction.status, event.transaction.capturedAmount, event.transaction.refundedAmount])).toEqual([
      ["REQUESTED", 5000, "REQUESTED", 0, 0],
      ["RESERVED", 5000, "RESERVED", 0, 0],
      ["CAPTURED", 3000, "CAPTURED", 3000, 0],
      ["REFUNDED", 1000, "REFUNDED", 3000, 1000],
    ]);
    expect(new Set(subscriber.events.map((event) => event.transaction.id))).toEqual(new Set([payment.id]));
    expect(subscriber.events.every((event) => event.salesUnit.msn === unit.msn && !Number.isNaN(Date.parse(event.occurredAt)))).toBe(true);
  });

  it("shows each subscriber only the sales units it may view, across merchants", async () => {
    const db = b.services.db;
    const [assigned, sameMerchant, otherMerchant] = await Promise.all(["751312", "873778", "844634"].map((msn) => createReservedPayment(db, msn)));
    const after = await latestCursor(db);
    const manager = collect(await connectAs(a, "no-sum"), { after });
    const danishAdmin = collect(await connectAs(a, "dk-admin"), { after });
    const norwegianAdmin = collect(await connectAs(a, "no-admin"), { after });

    for (let round = 0; round < 2; round++) for (const payment of [sameMerchant, otherMerchant, assigned]) await captureOneOre(db, payment!.id);
    // Delivery is in sequence order: once a subscriber has an event written last, it has had every chance to see the others.
    await captureOneOre(db, assigned!.id);
    await waitFor("the manager's three events", () => manager.events.length >= 3);
    await captureOneOre(db, otherMerchant!.id);
    await waitFor("the Danish administrator's three events", () => danishAdmin.events.length >= 3);
    await captureOneOre(db, sameMerchant!.id);
    await waitFor("the Norwegian administrator's six events", () => norwegianAdmin.events.length >= 6);

    const payments = (events: EventData[]) => new Set(events.map((event) => event.transaction.id));
    expect(payments(manager.events)).toEqual(new Set([globalPaymentId(assigned!)]));
    expect(payments(danishAdmin.events)).toEqual(new Set([globalPaymentId(otherMerchant!)]));
    expect(payments(norwegianAdmin.events)).toEqual(new Set([globalPaymentId(assigned!), globalPaymentId(sameMerchant!)]));
    for (const subscriber of [manager, danishAdmin, norwegianAdmin]) assertOrderedOnce(subscriber.events);
  });

  it("refuses sales units the subscriber may not view, malformed arguments and anonymous subscribers", async () => {
    const db = a.services.db;
    const connection = await connectAs(a, "no-sum");
    for (const msn of ["844634", "873778"]) {
      const refused = collect(connection, { salesUnitIds: [globalUnitId((await unitByMsn(db, msn)).id)] });
      await waitFor(`the refusal for ${msn}`, () => refused.errors.length > 0);
      expect(refused.errors[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(refused.events).toEqual([]);
    }
    for (const variables of [{ after: "42" }, { salesUnitIds: [] }]) {
      const refused = collect(connection, variables);
      await waitFor(`the refusal of ${JSON.stringify(variables)}`, () => refused.errors.length > 0);
      expect(refused.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const anonymous = connect(a.url, null);
    connections.push(anonymous);
    const refused = collect(anonymous);
    await waitFor("the refusal of an anonymous subscriber", () => refused.errors.length > 0);
    expect(refused.errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("resumes after a disconnect with nothing missed and nothing twice, while events keep coming", async () => {
    const db = b.services.db;
    const payment = await createReservedPayment(db, "751312");
    const unit = globalUnitId(payment.salesUnitId);
    const first = await connectAs(a, "no-admin");
    const before = collect(first, { salesUnitIds: [unit], after: await latestCursor(db) });
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    await waitFor("three events before the disconnect", () => before.events.length >= 3);
    await first.dispose();

    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    const resumed = collect(await connectAs(a, "no-admin"), { salesUnitIds: [unit], after: before.events.at(-1)!.id });
    // These land while the replay of the missed three runs: the seam between replay and live.
    for (let i = 0; i < 3; i++) await captureOneOre(db, payment.id);
    await waitFor("six events after resuming", () => resumed.events.length >= 6);

    expect(resumed.errors).toEqual([]);
    assertOrderedOnce([...before.events, ...resumed.events]);
    expect(resumed.events.map((event) => event.transaction.capturedAmount)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it("starts from transactionEventsCursor with nothing missed: a change made between reading it and subscribing comes first", async () => {
    const db = b.services.db;
    const payment = await createReservedPayment(db, "751312");
    const token = await a.login("no-admin");
    expect((await a.graphql(null, "{ transactionEventsCursor }")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const read = await a.graphql<{ transactionEventsCursor: string }>(token, "{ transactionEventsCursor }");
    const cursor = read.data!.transactionEventsCursor;
    expect(cursor).toMatch(/^te_[0-9a-f]{16}$/);

    await captureOneOre(db, payment.id);
    await waitFor("the relay to number the capture", async () => (await latestCursor(db)) > cursor);
    const subscriber = collect(await connectAs(a, "no-admin"), { salesUnitIds: [globalUnitId(payment.salesUnitId)], after: cursor });
    await captureOneOre(db, payment.id);
    await waitFor("both captures", () => subscriber.events.length >= 2 || subscriber.errors.length > 0);
    expect(subscriber.errors).toEqual([]);
    expect(subscriber.events.map((event) => event.transaction.capturedAmount)).toEqual([1, 2]);
  });

  it("keeps each payment's events in order and delivers each once when many payments change at once", async () => {
    const db = b.services.db;
    const payments = await Promise.all(["751312", "873778", "784829", "984802"].map((msn) => createReservedPayment(db, msn)));
    const after = await latestCursor(db);
    const remote = collect(await connectAs(a, "no-admin"), { after });
    const local = collect(await connectAs(b, "no-admin"), { after });

    await Promise.all(
      payments.map(async (payment) => {
        for (let i = 0; i < 10; i++) await captureOneOre(db, payment.id);
      }),
    );
    await waitFor("forty events on both instances", () => remote.events.length >= 40 && local.events.length >= 40);

    assertOrderedOnce(remote.events);
    expect(remote.events.map((event) => event.id)).toEqual(local.events.map((event) => event.id));
    expect(remote.events).toHaveLength(40);
  });

  it("ends the subscription when the membership that allowed it loses the sales unit", async () => {
    const db = b.services.db;
    const persona = a.persona("no-assistant-tm");
    const payment = await createReservedPayment(db, "751312");
    const subscriber = collect(await connectAs(a, "no-assistant-tm"), { salesUnitIds: [globalUnitId(payment.salesUnitId)], after: await latestCursor(db) });
    await captureOneOre(db, payment.id);
    await waitFor("the event before the revocation", () => subscriber.events.length === 1);

    const user = await db.portalUser.findUniqueOrThrow({ where: { nin: persona.nin! } });
    await db.membershipSalesUnit.deleteMany({ where: { salesUnitId: payment.salesUnitId, membership: { userId: user.id } } });
    await captureOneOre(db, payment.id);

    await waitFor("the end of the subscription", () => subscriber.errors.length > 0);
    expect(subscriber.errors[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(subscriber.events).toHaveLength(1);
  });
});

describe("transactionEvents over SSE", () => {
  // /graphql/stream is the graphql-sse plugin (both protocol modes); /graphql answers Yoga's own distinct-connection SSE.
  it.each(["/graphql/stream", "/graphql"])("delivers events on %s to clients that cannot open a WebSocket", async (path) => {
    const db = b.services.db;
    const payment = await createReservedPayment(db, "751312");
    const token = await a.login("no-admin");
    const client = createSseClient({ url: `${a.url}${path}`, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const events: EventData[] = [];
    const errors: unknown[] = [];
    const unsubscribe = client.subscribe<{ transactionEvents: EventData }>(
      { query: SUBSCRIPTION, variables: { salesUnitIds: [globalUnitId(payment.salesUnitId)], after: await latestCursor(db) } },
      { next: (result) => (result.data ? events.push(result.data.transactionEvents) : errors.push(result.errors)), error: (error) => errors.push(error), complete: () => undefined },
    );
    try {
      await captureOneOre(db, payment.id);
      await captureOneOre(db, payment.id);
      await waitFor("two events over SSE", () => events.length >= 2);
      expect(errors).toEqual([]);
      assertOrderedOnce(events);
      expect(events[0]).toMatchObject({ type: "CAPTURED", transaction: { id: globalPaymentId(payment), capturedAmount: 1 } });
    } finally {
      unsubscribe();
      client.dispose();
    }
  });
});

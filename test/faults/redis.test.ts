/**
 * Redis stopped and started under a write load, with two gateway processes sharing it: one takes the writes and
 * runs the relay, the other only serves a graphql-ws subscriber, so every event reaches that subscriber through
 * Redis's news or, while Redis is away, through the feed's outbox polling. The subscriber's /readyz goes red and
 * green with Redis, nothing stops on either side, and the subscriber receives every committed event exactly once, in
 * order.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type Db } from "../../src/db/client";
import { collect, connect, latestCursor, type Connection } from "../events/support";
import { reservePayment, startWriteLoad } from "../support/write-load";
import { expectEveryCaptureOnceInOrder, freePort, loginAs, ownPostgres, readyz, spawnGateway, startOwnRedis, waitFor, type GatewayProcess, type OwnPostgres, type OwnRedis } from "./support";
import { uuidOf } from "../support/ids";

let postgres: OwnPostgres;
let redis: OwnRedis;
let writer: GatewayProcess;
let reader: GatewayProcess;
let db: Db;
let connection: Connection | null = null;

beforeAll(async () => {
  postgres = await ownPostgres();
  redis = await startOwnRedis();
  const shared = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, OUTBOX_POLL_INTERVAL_MS: "250" };
  writer = await spawnGateway(shared, await freePort());
  // No relay of its own: what it delivers was numbered by the writer's relay and announced through Redis.
  reader = await spawnGateway({ ...shared, OUTBOX_RELAY: "false" }, await freePort());
  db = createPrisma(postgres.url, { poolSize: 2 });
});
afterAll(async () => {
  await connection?.dispose();
  await reader?.kill("SIGTERM");
  await writer?.kill("SIGTERM");
  await redis?.stop();
  await db?.$disconnect();
  await postgres?.destroy();
});

describe("Redis down and back under a write load", () => {
  it("keeps delivering through outbox polling, turns /readyz red and green, and delivers every committed event once in order", async () => {
    expect((await readyz(reader.url)).status).toBe(200);
    const token = await loginAs(writer.url, "no-admin");
    const testShop = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Test Nettbutikk" } });
    const payments = await Promise.all([1, 2, 3].map(() => reservePayment(writer.url, token, encodeGlobalID("SalesUnit", testShop.id))));
    const ids = new Set(payments.map((globalId) => uuidOf(globalId)));
    await waitFor("the reservations to be numbered", async () => (await db.outboxEvent.count({ where: { deliverySeq: null } })) === 0);

    connection = connect(reader.url, token);
    const subscriber = collect(connection, { after: await latestCursor(db) });
    const ours = () => subscriber.events.filter((event) => ids.has(uuidOf(event.transaction.id)));
    const load = startWriteLoad({ baseUrl: () => writer.url, token, transactionIds: payments });
    await waitFor("events through Redis before the outage", () => ours().length >= 10, 30_000);

    await redis.stop();
    const red = await waitFor("the reader's /readyz to turn red", async () => {
      const probe = await readyz(reader.url);
      return probe.status === 503 ? probe : null;
    });
    expect(red.checks.redis).toMatchObject({ ok: false });
    expect(red.checks.database).toMatchObject({ ok: true });
    const atOutage = ours().length;
    const confirmedAtOutage = load.confirmedCount;
    await waitFor("captures while Redis is down", () => load.confirmedCount >= confirmedAtOutage + 10, 30_000);
    await waitFor("events while Redis is down, by outbox polling", () => ours().length >= atOutage + 10, 30_000);

    await redis.start();
    await waitFor("the reader's /readyz to turn green", async () => (await readyz(reader.url)).status === 200, 30_000);
    const confirmedAfter = load.confirmedCount;
    await waitFor("captures after Redis is back", () => load.confirmedCount >= confirmedAfter + 10, 30_000);
    const report = await load.stop();

    await expectEveryCaptureOnceInOrder(ours, ids, report.confirmed);
    expect(subscriber.errors).toEqual([]);
    expect(connection.closed).toBeNull();
    expect(writer.exit).toBeNull();
    expect(reader.exit).toBeNull();
    expect(report.failures.filter((failure) => failure.status >= 500)).toEqual([]);
  });
});

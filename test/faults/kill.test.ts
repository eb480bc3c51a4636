/**
 * The gateway process killed with SIGKILL in the middle of a write load, then started again: no payment is
 * half-written (its amounts, operations and events agree), every capture the clients were told about is there
 * once, and a subscriber that resumes from its last event receives every committed event exactly once.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type Db } from "../../src/db/client";
import { TRANSACTION_EVENT_PREFIX } from "../../src/events/transaction-events";
import { collect, connect, latestCursor, type Collector, type Connection, type EventData } from "../events/support";
import { reservePayment, startWriteLoad } from "../support/write-load";
import { expectEveryCaptureOnceInOrder, freePort, loginAs, spawnGateway, ownPostgres, waitFor, type GatewayProcess, type OwnPostgres } from "./support";
import { uuidOf } from "../support/ids";

let postgres: OwnPostgres;
let gateway: GatewayProcess;
let port: number;
let db: Db;
const connections: Connection[] = [];

const start = () => spawnGateway({ DATABASE_URL: postgres.url, OUTBOX_POLL_INTERVAL_MS: "100" }, port);

beforeAll(async () => {
  postgres = await ownPostgres();
  port = await freePort();
  gateway = await start();
  db = createPrisma(postgres.url, { poolSize: 2 });
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await gateway?.kill("SIGTERM");
  await db?.$disconnect();
  await postgres?.destroy();
});

function subscribe(token: string, after: string): Collector {
  const connection = connect(gateway.url, token);
  connections.push(connection);
  return collect(connection, { after });
}

describe("kill -9 under a write load", () => {
  it("leaves nothing half-written, keeps every confirmed capture once and delivers every committed event once", async () => {
    const token = await loginAs(gateway.url, "no-admin");
    const testShop = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Test Nettbutikk" } });
    const payments = await Promise.all([1, 2, 3, 4].map(() => reservePayment(gateway.url, token, encodeGlobalID("SalesUnit", testShop.id))));
    const ids = new Set(payments.map((globalId) => uuidOf(globalId)));
    await waitFor("the reservations to be numbered", async () => (await db.outboxEvent.count({ where: { deliverySeq: null } })) === 0);
    const startCursor = await latestCursor(db);
    const before = subscribe(token, startCursor);

    const load = startWriteLoad({ baseUrl: () => gateway.url, token, transactionIds: payments });
    await waitFor("captures before the kill", () => load.confirmedCount >= 20, 30_000);
    await gateway.kill("SIGKILL");
    expect(gateway.exit).toEqual({ code: null, signal: "SIGKILL" });
    await waitFor("the subscriber to see the connection go", () => connections[0]!.closed !== null);

    gateway = await start();
    const received: EventData[] = [...before.events];
    // Resume where the first subscriber got to; if it got nothing before the kill (its subscription may not have been
    // set up yet on a busy machine), from where it started: every event after that is owed to it.
    const after = subscribe(token, received.at(-1)?.id ?? startCursor);
    const confirmedAfterRestart = load.confirmedCount;
    await waitFor("captures after the restart", () => load.confirmedCount >= confirmedAfterRestart + 20, 30_000);
    const report = await load.stop();

    for (const [globalId, confirmed] of report.confirmed) {
      const id = uuidOf(globalId);
      const row = await db.transaction.findUniqueOrThrow({ where: { id } });
      const captures = await db.transactionOperation.aggregate({ where: { transactionId: id, type: "CAPTURE" }, _count: true, _sum: { amount: true } });
      expect(row.capturedAmount).toBe(confirmed);
      expect(captures).toMatchObject({ _count: confirmed, _sum: { amount: confirmed } });
      expect(await db.outboxEvent.count({ where: { aggregateId: id, type: `${TRANSACTION_EVENT_PREFIX}CAPTURED` } })).toBe(confirmed);
    }
    const ours = () => [...received, ...after.events].filter((event) => ids.has(uuidOf(event.transaction.id)));
    await expectEveryCaptureOnceInOrder(ours, ids, report.confirmed);
    expect(after.errors).toEqual([]);
  });
});

/**
 * PostgreSQL going away under a write load, against a server of this file's own: its sessions terminated again
 * and again, then the server stopped and started. The gateway process lives through it, /readyz goes red and
 * green again, requests fail cleanly with 503 meanwhile, and afterwards every confirmed write is there once.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type Db } from "../../src/db/client";
import { TRANSACTION_EVENT_PREFIX } from "../../src/events/transaction-events";
import { reservePayment, startWriteLoad } from "../support/write-load";
import { freePort, loginAs, readyz, spawnGateway, ownPostgres, waitFor, type GatewayProcess, type OwnPostgres } from "./support";
import { uuidOf } from "../support/ids";

let postgres: OwnPostgres;
let gateway: GatewayProcess;
let db: Db;

beforeAll(async () => {
  postgres = await ownPostgres();
  gateway = await spawnGateway({ DATABASE_URL: postgres.url, OUTBOX_POLL_INTERVAL_MS: "100" }, await freePort());
  db = createPrisma(postgres.url, { poolSize: 2 });
});
afterAll(async () => {
  await gateway?.kill("SIGTERM");
  await db?.$disconnect();
  await postgres?.destroy();
});

describe("PostgreSQL going away under a write load", () => {
  it("keeps the process alive through terminated sessions and a restart, answering 503 meanwhile and recovering", async () => {
    const token = await loginAs(gateway.url, "no-admin");
    const testShop = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Test Nettbutikk" } });
    const payments = await Promise.all([1, 2, 3].map(() => reservePayment(gateway.url, token, encodeGlobalID("SalesUnit", testShop.id))));
    const load = startWriteLoad({ baseUrl: () => gateway.url, token, transactionIds: payments });
    await waitFor("captures before any fault", () => load.confirmedCount >= 10, 30_000);

    let terminated = 0;
    for (let round = 0; round < 7; round++) {
      terminated += await postgres.terminateGatewaySessions();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(terminated).toBeGreaterThan(7);
    await db.$disconnect();

    await postgres.stop();
    let lastProbe: Awaited<ReturnType<typeof readyz>> | null = null;
    const red = await waitFor("/readyz to turn red", async () => {
      lastProbe = await readyz(gateway.url);
      return lastProbe.status === 503 ? lastProbe : null;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; last answer ${JSON.stringify(lastProbe)}; gateway exit ${JSON.stringify(gateway.exit)}\n${gateway.logs.slice(-20).join("\n")}`);
    });
    expect(red.checks.database).toMatchObject({ ok: false });
    const failuresBefore = load.failures.length;
    await waitFor("writes to fail while the server is down", () => load.failures.length > failuresBefore + 3);
    await postgres.start();
    await waitFor("/readyz to turn green", async () => (await readyz(gateway.url)).status === 200, 30_000);
    const confirmedAfterRestart = load.confirmedCount;
    await waitFor("writes to succeed again", () => load.confirmedCount >= confirmedAfterRestart + 10, 30_000);
    const report = await load.stop();

    expect(gateway.exit).toBeNull();
    expect(report.failures.length).toBeGreaterThan(0);
    for (const failure of report.failures) expect(failure).toEqual({ status: 503, code: "SERVICE_UNAVAILABLE" });
    for (const [globalId, confirmed] of report.confirmed) {
      const id = uuidOf(globalId);
      expect((await db.transaction.findUniqueOrThrow({ where: { id } })).capturedAmount).toBe(confirmed);
      expect(await db.outboxEvent.count({ where: { aggregateId: id, type: `${TRANSACTION_EVENT_PREFIX}CAPTURED` } })).toBe(confirmed);
    }
    await waitFor("the relay to number every event", async () => (await db.outboxEvent.count({ where: { deliverySeq: null } })) === 0);
    expect(gateway.logs.filter((line) => /"level":(50|60)/.test(line) && !line.includes("Outbox relay"))).toEqual([]);
  });
});

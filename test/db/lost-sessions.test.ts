/**
 * Database sessions that die under the gateway (pg_terminate_backend, a failover): the process must live, the
 * requests they cut short fail with a clean, retryable error, and everything works again on fresh sessions. Only
 * the sessions of this file's own database are terminated; other tests share the server.
 */
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { withClient } from "../../src/db/admin";
import { createPool } from "../../src/db/pools";
import { SEQUENCER_LOCK, sequencePending } from "../../src/events/relay";
import { waitFor } from "../events/support";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { reservePayment, startWriteLoad } from "../support/write-load";

let gateway: TestGateway;
let databaseName: string;
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  gateway = await startTestGateway({ OUTBOX_POLL_INTERVAL_MS: "20" });
  databaseName = new URL(gateway.databaseUrl).pathname.slice(1);
});
afterAll(async () => gateway?.stop());
beforeEach(() => {
  uncaught.length = 0;
  process.on("uncaughtException", recordUncaught);
});
afterEach(() => {
  process.off("uncaughtException", recordUncaught);
});

/** Terminates the sessions on this file's database that `where` picks, from a session on another database. */
async function terminate(where = "true"): Promise<number> {
  return withClient(inject("adminUrl"), async (client) => {
    const { rowCount } = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${where}`,
      [databaseName],
    );
    return rowCount ?? 0;
  });
}

describe("lost database sessions", () => {
  it("reports, and survives, a session that dies on a client its holder does not listen to", async () => {
    const reports: { code: unknown; pool: string }[] = [];
    const pool = createPool("probe", { connectionString: gateway.databaseUrl, max: 1 }, (error, name) =>
      reports.push({ code: (error as { code?: unknown }).code, pool: name }),
    );
    // Checked out and held between queries with no 'error' listener of its holder: the gap the pools' own listener
    // closes. Without it the session's end is an uncaught exception.
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(await terminate(`pid = ${Number(rows[0]!.pid)}`)).toBe(1);
    await waitFor("the lost session reported", () => reports.length > 0);
    client.release(true);
    await pool.end();
    expect(uncaught).toEqual([]);
    expect(reports[0]).toEqual({ code: "57P01", pool: "probe" });
  });

  it("fails a relay pass whose session is terminated while it holds it, without an unhandled error", async () => {
    const pool = new pg.Pool({ connectionString: gateway.databaseUrl, max: 1, application_name: "relay-under-test" });
    pool.on("error", () => undefined);
    // Another relay holds the sequencing lock, so this pass waits for it inside its transaction.
    const holder = new pg.Client({ connectionString: gateway.databaseUrl });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1::bigint)", [SEQUENCER_LOCK]);
      const pass = sequencePending(pool).then(
        () => null,
        (error: unknown) => error,
      );
      await waitFor("the pass to wait for the lock", () =>
        withClient(inject("adminUrl"), async (client) => {
          const { rowCount } = await client.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'relay-under-test' AND wait_event_type = 'Lock'",
            [databaseName],
          );
          return rowCount === 1;
        }),
      );
      expect(await terminate("application_name = 'relay-under-test'")).toBe(1);
      expect(await pass).toBeInstanceOf(Error);
      // The socket's end arrives after the failed query; give it the moment it needs to be emitted.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);
      // The broken session left the pool: the next pass gets a fresh one and works.
      await holder.query("ROLLBACK");
      await expect(sequencePending(pool)).resolves.toBeInstanceOf(Array);
    } finally {
      await holder.end();
      await pool.end();
    }
  });

  it("keeps serving a write load while every session of its database is terminated again and again", async () => {
    const token = await gateway.token("no-admin");
    const testShop = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Test Nettbutikk" } });
    const unitId = encodeGlobalID("SalesUnit", testShop.id);
    const payments = await Promise.all([1, 2, 3].map(() => reservePayment(gateway.url, token, unitId)));
    const load = startWriteLoad({ baseUrl: () => gateway.url, token, transactionIds: payments });

    let terminated = 0;
    for (let round = 0; round < 15; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      terminated += await terminate();
    }
    const confirmedBefore = load.confirmedCount;
    await waitFor("captures after the last termination", () => load.confirmedCount >= confirmedBefore + 10);
    const report = await load.stop();

    expect(uncaught).toEqual([]);
    expect(terminated).toBeGreaterThan(15);
    expect(report.failures.length).toBeGreaterThan(0);
    // A cut-short request answers 503 SERVICE_UNAVAILABLE, never a masked "Unexpected error".
    for (const failure of report.failures) expect(failure).toEqual({ status: 503, code: "SERVICE_UNAVAILABLE" });
    // Each confirmed capture is in the database once, with its event, and the relay numbered every event.
    const db = gateway.services.db;
    for (const [globalId, confirmed] of report.confirmed) {
      const id = decodeGlobalID(globalId).id;
      expect((await db.transaction.findUniqueOrThrow({ where: { id } })).capturedAmount).toBe(confirmed);
      expect(await db.outboxEvent.count({ where: { aggregateId: id } })).toBe(confirmed + 2);
    }
    await waitFor("every event numbered", async () => (await db.outboxEvent.count({ where: { deliverySeq: null } })) === 0);
  });
});

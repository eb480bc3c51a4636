/**
 * The outbox relay on a real database: commit order against id order, several relays at once, and relays that die
 * at the worst moment, including a relay process (`npm run relay`) killed with SIGKILL in the middle of a stream.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { encodeGlobalID } from "@pothos/plugin-relay";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { projectRoot } from "../../src/config";
import { appendOutbox } from "../../src/events/outbox";
import { createInProcessBus } from "../../src/events/pubsub";
import { sequencePending, startRelay } from "../../src/events/relay";
import { transactionEvent } from "../../src/events/transaction-events";
import { encodeEventCursor } from "../../src/schema/transaction-events";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { assertOrderedOnce, captureOneOre, collect, connect, createReservedPayment, latestCursor, redisPrefix, REDIS_URL, waitFor, type Connection } from "./support";

const prefix = redisPrefix();
let gateway: TestGateway;
let pool: pg.Pool;
const connections: Connection[] = [];
const silent = pino({ level: "silent" });

beforeAll(async () => {
  // No relay of its own: each test decides who relays. The feed reads the outbox often, to repair quickly.
  gateway = await startTestGateway({ OUTBOX_RELAY: "false", OUTBOX_POLL_INTERVAL_MS: "100", REDIS_URL, REDIS_CHANNEL_PREFIX: prefix });
  pool = new pg.Pool({ connectionString: gateway.databaseUrl, max: 4 });
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await pool?.end();
  await gateway?.stop();
});

async function subscribe(after?: string) {
  const connection = connect(gateway.url, await gateway.login("no-admin"));
  connections.push(connection);
  return collect(connection, { after: after ?? (await latestCursor(gateway.services.db)) });
}

describe("outbox relay", () => {
  it("numbers events in commit order when their ids commit out of order, so a cursor never skips a late commit", async () => {
    const db = gateway.services.db;
    const [early, late] = await Promise.all([createReservedPayment(db, "751312"), createReservedPayment(db, "873778")]);
    const live = await subscribe();

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let takenFirst!: bigint;
    const slowTransaction = db.$transaction(async (tx) => {
      const row = await tx.transaction.update({ where: { id: early.id }, data: { capturedAmount: 1, status: "CAPTURED", version: { increment: 1 } } });
      takenFirst = (await appendOutbox(tx, transactionEvent(row, "CAPTURED", 1, new Date()))).id;
      await held;
    });
    await waitFor("the slow transaction to take its id", () => takenFirst !== undefined);
    await captureOneOre(db, late.id);
    const [second] = await sequencePending(pool);
    expect(second!.id).toBeGreaterThan(takenFirst);

    release();
    await slowTransaction;
    const [first] = await sequencePending(pool);
    expect(first!.id).toBe(takenFirst);
    expect(first!.seq).toBe(second!.seq + 1n);

    // "Everything after id N" would have skipped the late commit; "everything after seq N" finds it.
    expect(await db.outboxEvent.count({ where: { id: { gt: second!.id } } })).toBe(0);
    expect(await db.outboxEvent.findMany({ where: { deliverySeq: { gt: second!.seq } }, select: { id: true } })).toEqual([{ id: takenFirst }]);
    const resumed = await subscribe(encodeEventCursor(second!.seq));
    await waitFor("the late commit for a subscriber resuming after the earlier number", () => resumed.events.length === 1);
    await waitFor("both events for the live subscriber", () => live.events.length === 2);
    expect(live.events.map((event) => event.id)).toEqual([encodeEventCursor(second!.seq), encodeEventCursor(first!.seq)]);
    expect(resumed.events[0]!.id).toBe(encodeEventCursor(first!.seq));
  });

  it("numbers every event exactly once and densely while several relays run, woken by NOTIFY alone", async () => {
    const db = gateway.services.db;
    const payments = await Promise.all(["751312", "873778", "784829", "984802"].map((msn) => createReservedPayment(db, msn)));
    const { _max } = await db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
    const base = _max.deliverySeq ?? 0n;
    // A poll interval of a minute: within this test, only notifications wake the relays.
    const relays = [1, 2, 3].map(() =>
      startRelay({ databaseUrl: gateway.databaseUrl, pool, bus: createInProcessBus(silent), logger: silent, pollIntervalMs: 60_000, batchSize: 3 }),
    );
    try {
      await Promise.all(payments.map(async (payment) => {
        for (let i = 0; i < 10; i++) await captureOneOre(db, payment.id);
      }));
      await waitFor("every event numbered", async () => (await db.outboxEvent.count({ where: { deliverySeq: null } })) === 0);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }

    const rows = await db.outboxEvent.findMany({ where: { deliverySeq: { gt: base } }, orderBy: { deliverySeq: "asc" } });
    expect(rows.map((row) => row.deliverySeq)).toEqual(rows.map((_, index) => base + BigInt(index + 1)));
    expect(rows).toHaveLength(40);
    for (const payment of payments) {
      const versions = rows.filter((row) => row.aggregateId === payment.id).map((row) => (row.payload as { version: number }).version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
    }
  });

  it("loses nothing when a relay dies after numbering events and before fanning them out", async () => {
    const db = gateway.services.db;
    const payment = await createReservedPayment(db, "751312");
    const subscriber = await subscribe();
    await captureOneOre(db, payment.id);
    await captureOneOre(db, payment.id);
    // The numbers are committed; the relay that would have published them is gone.
    expect(await sequencePending(pool)).toHaveLength(2);
    await waitFor("both events, read from the outbox", () => subscriber.events.length === 2);
    assertOrderedOnce(subscriber.events);
  });

  it("numbers a batch in one round trip, densely from the committed maximum, the oldest unnumbered rows first", async () => {
    const db = gateway.services.db;
    await sequencePending(pool);
    const payment = await createReservedPayment(db, "751312");
    for (let i = 0; i < 5; i++) await captureOneOre(db, payment.id);
    const { rows } = await pool.query<{ max: string }>(`SELECT COALESCE(MAX("deliverySeq"), 0)::text AS max FROM "OutboxEvent"`);
    // Every statement the relay's own pool sends (the gateway in this process has pools of its own).
    const own = new pg.Pool({ connectionString: gateway.databaseUrl, max: 1 });
    const clients = new Set<unknown>();
    own.on("connect", (client) => clients.add(client));
    const sent = vi.spyOn(pg.Client.prototype, "query");
    try {
      const first = await sequencePending(own, 3);
      const second = await sequencePending(own, 3);
      expect(sent.mock.contexts.filter((client) => clients.has(client))).toHaveLength(2);
      expect([...first, ...second].map((event) => event.seq)).toEqual([1n, 2n, 3n, 4n, 5n].map((n) => BigInt(rows[0]!.max) + n));
      const versions = [...first, ...second].map((event) => (event.payload as { version: number }).version);
      expect(versions).toEqual(versions.map((_, i) => versions[0]! + i));
    } finally {
      sent.mockRestore();
      await own.end();
    }
  });
});

describe("a relay process killed mid-stream", () => {
  function startRelayProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "src/events/relay-main.ts"], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: gateway.databaseUrl,
        LOG_LEVEL: "info",
        REDIS_URL,
        REDIS_CHANNEL_PREFIX: prefix,
        OUTBOX_POLL_INTERVAL_MS: "100",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    return waitFor("the relay process to start", () => {
      if (child.exitCode !== null) throw new Error(`The relay process exited: ${output}`);
      return output.includes("Outbox relay running") ? child : null;
    }, 30_000);
  }

  it("delivers every event once, in order per payment, after the process is killed and restarted", { timeout: 90_000 }, async () => {
    const db = gateway.services.db;
    const payments = await Promise.all(["751312", "873778", "784829"].map((msn) => createReservedPayment(db, msn)));
    const subscriber = await subscribe();
    let relay = await startRelayProcess();
    try {
      const rounds = 20;
      const writer = (async () => {
        for (let round = 0; round < rounds; round++) {
          for (const payment of payments) await captureOneOre(db, payment.id);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await waitFor("events flowing through the relay process", () => subscriber.events.length >= 15, 20_000);
      relay.kill("SIGKILL");
      await once(relay, "exit");
      relay = await startRelayProcess();
      await writer;

      const total = rounds * payments.length;
      // Only this test's payments: the merchant's other events (an expiry pass, an earlier test's leftovers numbered
      // by the new relay) may reach the same subscriber and are not what is counted here.
      const ids = new Set(payments.map((payment) => encodeGlobalID("Transaction", payment.id)));
      const ours = () => subscriber.events.filter((event) => ids.has(event.transaction.id));
      await waitFor(`all ${total} events`, () => ours().length >= total, 20_000);
      expect(subscriber.errors).toEqual([]);
      expect(ours()).toHaveLength(total);
      assertOrderedOnce(ours());
    } finally {
      relay.kill("SIGKILL");
    }
  });
});

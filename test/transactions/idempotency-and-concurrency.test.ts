/** Retries and races: idempotency keys, and many operations at once on one payment, through real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { apiKeyToken, footprint, key, mutate, newReference, requestPayment, startMoneyGateway, succeeded, unitByName } from "./support";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { uuidOf } from "../support/ids";
import { PLATFORM_EVENT_RECEIPT_RETENTION_MS, purgeExpiredRecords } from "../../src/services/retention";

let gateway: TestGateway;
let admin: string;
let testShop: string;

beforeAll(async () => {
  gateway = await startMoneyGateway();
  admin = await gateway.login("no-admin");
  testShop = (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).globalId;
});
afterAll(async () => gateway?.stop());

async function reserved(amount: number): Promise<string> {
  const request = await requestPayment(gateway, admin, testShop, amount);
  succeeded(await mutate(gateway, admin, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" }));
  return request.id;
}

describe("idempotency keys", () => {
  it("answers a replayed capture with the first result and changes nothing", async () => {
    const id = await reserved(10_000);
    const input = { transactionId: id, amount: 2_500, idempotencyKey: key() };
    const first = succeeded(await mutate(gateway, admin, "captureTransaction", input));
    const before = await footprint(gateway, id);
    const replay = succeeded(await mutate(gateway, admin, "captureTransaction", input));
    expect(replay).toEqual(first);
    expect(await footprint(gateway, id)).toEqual(before);
    expect(before.operations).toBe(3);
    expect(before.outbox).toBe(3);
  });

  it("answers a replay with the first result also after the payment changed again, and a replayed request with its request", async () => {
    const id = await reserved(10_000);
    const input = { transactionId: id, amount: 2_500, idempotencyKey: key() };
    const first = succeeded(await mutate(gateway, admin, "captureTransaction", input));
    expect(first).toMatchObject({ status: "CAPTURED", capturedAmount: 2_500, refundedAmount: 0 });
    succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey: key() }));
    succeeded(await mutate(gateway, admin, "refundTransaction", { transactionId: id, amount: 500, idempotencyKey: key() }));
    const before = await footprint(gateway, id);
    // A point of sale retrying after a timeout learns what its own capture did, not what others did since.
    expect(succeeded(await mutate(gateway, admin, "captureTransaction", input))).toEqual(first);
    expect(await footprint(gateway, id)).toEqual(before);

    // The same for a payment request: the replay answers the request as it was made (REQUESTED), not as it is now.
    const request = { salesUnitId: testShop, amount: 1_500, phoneNumber: "+4791234567", reference: `replay-${key()}`, description: "Kaffe", idempotencyKey: key() };
    const made = succeeded(await mutate(gateway, admin, "requestPayment", request));
    succeeded(await mutate(gateway, admin, "simulateCustomerAction", { transactionId: made.id, action: "APPROVE" }));
    expect(succeeded(await mutate(gateway, admin, "requestPayment", request))).toEqual(made);
  });

  it("refuses the same key with another amount with IdempotencyConflictError and changes nothing", async () => {
    const id = await reserved(10_000);
    const idempotencyKey = key();
    succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey }));
    const before = await footprint(gateway, id);
    const conflict = await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 2_000, idempotencyKey });
    expect(conflict.result).toMatchObject({ __typename: "IdempotencyConflictError", code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await footprint(gateway, id)).toEqual(before);
  });

  it("treats the same key on another payment as other input", async () => {
    const idempotencyKey = key();
    succeeded(await mutate(gateway, admin, "refundTransaction", { transactionId: await capturedPayment(), idempotencyKey }));
    const other = await mutate(gateway, admin, "refundTransaction", { transactionId: await capturedPayment(), idempotencyKey });
    expect(other.result?.__typename).toBe("IdempotencyConflictError");
  });

  it("takes a payment's id with its UUID in capitals as the same payment, also for a replay of the same key", async () => {
    const id = await reserved(10_000);
    const shouted = encodeGlobalID("Transaction", uuidOf(id).toUpperCase());
    const idempotencyKey = key();
    const first = succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: shouted, amount: 1_000, idempotencyKey }));
    expect(first).toMatchObject({ id, status: "CAPTURED", capturedAmount: 1_000 });
    const before = await footprint(gateway, id);
    expect(succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey }))).toEqual(first);
    expect(await footprint(gateway, id)).toEqual(before);
    const node = await gateway.graphql<{ node: { id: string } | null }>(admin, `query($id: ID!) { node(id: $id) { id } }`, { id: shouted });
    expect(node.data?.node).toEqual({ id });
  });

  it("keeps keys apart per caller and per operation", async () => {
    const id = await reserved(10_000);
    const idempotencyKey = key();
    succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey }));
    const apiKeys = await apiKeyToken(gateway, (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).id);
    expect(succeeded(await mutate(gateway, apiKeys, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey })).capturedAmount).toBe(2_000);
    expect(succeeded(await mutate(gateway, admin, "cancelTransaction", { transactionId: id, idempotencyKey })).cancelledAmount).toBe(8_000);
  });

  it("stores nothing for a refused operation, so its key can be retried with corrected input", async () => {
    const id = await reserved(3_000);
    const idempotencyKey = key();
    const refused = await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 5_000, idempotencyKey });
    expect(refused.result?.__typename).toBe("AmountExceededError");
    expect(succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 3_000, idempotencyKey })).capturedAmount).toBe(3_000);
  });

  it("creates one payment for a replayed payment request and refuses the key with another amount", async () => {
    const input = { salesUnitId: testShop, amount: 4_200, phoneNumber: "+4791234567", reference: newReference(), description: "Kaffe", idempotencyKey: key() };
    const first = succeeded(await mutate(gateway, admin, "requestPayment", input));
    const replay = succeeded(await mutate(gateway, admin, "requestPayment", { ...input, phoneNumber: "+47 912 34 567" }));
    expect(replay.id).toBe(first.id);
    expect(await gateway.services.db.transaction.count({ where: { reference: input.reference } })).toBe(1);
    expect((await mutate(gateway, admin, "requestPayment", { ...input, amount: 4_300 })).result?.__typename).toBe("IdempotencyConflictError");
  });

  it("answers a replayed simulated approval with its first result instead of a refusal", async () => {
    const request = await requestPayment(gateway, admin, testShop, 1_000);
    const input = { transactionId: request.id, action: "APPROVE", idempotencyKey: key() };
    const first = succeeded(await mutate(gateway, admin, "simulateCustomerAction", input));
    expect(succeeded(await mutate(gateway, admin, "simulateCustomerAction", input))).toEqual(first);
    const withoutKey = await mutate(gateway, admin, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" });
    expect(withoutKey.result?.__typename).toBe("InvalidStateError");
  });

  it("applies one of many parallel requests with the same key and answers the rest with its result", async () => {
    const id = await reserved(10_000);
    const input = { transactionId: id, amount: 1_000, idempotencyKey: key() };
    const results = await Promise.all(Array.from({ length: 12 }, () => mutate(gateway, admin, "captureTransaction", input)));
    expect(new Set(results.map((outcome) => succeeded(outcome).capturedAmount))).toEqual(new Set([1_000]));
    expect(await gateway.services.db.transactionOperation.count({ where: { transactionId: uuidOf(id), type: "CAPTURE" } })).toBe(1);
  });
});

describe("retention of idempotency keys and platform event receipts", () => {
  const HOUR = 3_600_000;
  const db = () => gateway.services.db;
  /** Moves a record's timestamp into the past, as if it had been written `ms` ago. */
  const ageKey = (idempotencyKey: string, ms: number) =>
    db().idempotencyRecord.updateMany({ where: { key: idempotencyKey }, data: { createdAt: new Date(Date.now() - ms) } });

  it("forgets a key past its retention, so the same key is a new request, and keeps a younger one replaying", async () => {
    const retention = gateway.services.config.idempotencyKeyRetentionMs;
    const id = await reserved(10_000);
    const [expired, kept] = [key(), key()];
    succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey: expired }));
    succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey: kept }));
    await ageKey(expired, retention + HOUR);
    await ageKey(kept, retention - HOUR);

    const purged = await purgeExpiredRecords(gateway.services);
    expect(purged.idempotencyRecords).toBeGreaterThanOrEqual(1);
    expect(await db().idempotencyRecord.count({ where: { key: { in: [expired, kept] } } })).toBe(1);

    const before = await footprint(gateway, id);
    expect(succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey: kept })).capturedAmount).toBe(2_000);
    expect(await footprint(gateway, id)).toEqual(before);
    expect(succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey: expired })).capturedAmount).toBe(3_000);
  });

  it("deletes platform event receipts older than 30 days and keeps the rest", async () => {
    const [old, recent] = [`evt-old-${key()}`, `evt-recent-${key()}`];
    await db().platformEventReceipt.createMany({
      data: [
        { eventId: old, receivedAt: new Date(Date.now() - PLATFORM_EVENT_RECEIPT_RETENTION_MS - HOUR) },
        { eventId: recent, receivedAt: new Date(Date.now() - PLATFORM_EVENT_RECEIPT_RETENTION_MS + HOUR) },
      ],
    });
    expect((await purgeExpiredRecords(gateway.services)).platformEventReceipts).toBe(1);
    expect((await db().platformEventReceipt.findMany({ where: { eventId: { in: [old, recent] } } })).map((receipt) => receipt.eventId)).toEqual([recent]);
  });
});

describe("a change committed between a capture's read and its write", () => {
  /** Resolves once `sessions` sessions of the test database wait for a lock in a write of a payment. */
  async function blockedWrites(sessions = 1): Promise<void> {
    for (let waited = 0; waited < 10_000; waited += 20) {
      const [row] = await gateway.services.db.$queryRaw<{ waiting: bigint }[]>`SELECT count(*) AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ${'%UPDATE "Transaction"%'}`;
      if (Number(row?.waiting) >= sessions) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("No capture waited for a lock");
  }

  it("is kept: the capture's first write takes no effect, and the capture is made again on the payment as changed", async () => {
    const id = await reserved(5_000);
    const row = uuidOf(id);
    const db = gateway.services.db;
    const before = await db.transaction.findUniqueOrThrow({ where: { id: row } });
    let capture: ReturnType<typeof mutate> | undefined;
    await db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Transaction" WHERE id = ${row}::uuid FOR UPDATE`;
        // The capture reads the payment without a lock, decides, and its write waits here for the lock.
        capture = mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1_000, idempotencyKey: key() });
        await blockedWrites();
        // What the capture did not read: 700 captured meanwhile, as another capture would have.
        await tx.$executeRaw`UPDATE "Transaction" SET "capturedAmount" = 700, status = 'CAPTURED', version = version + 1 WHERE id = ${row}::uuid`;
      },
      { timeout: 15_000 },
    );
    expect(succeeded(await capture!)).toMatchObject({ status: "CAPTURED", capturedAmount: 1_700 });
    const after = await db.transaction.findUniqueOrThrow({ where: { id: row } });
    expect([after.capturedAmount, after.version]).toEqual([1_700, before.version + 2]);
    const captures = await db.transactionOperation.findMany({ where: { transactionId: row, type: "CAPTURE" } });
    const events = await db.outboxEvent.count({ where: { aggregateId: row, type: "transaction.CAPTURED" } });
    const audit = await db.auditEvent.count({ where: { objectId: row, action: "transaction.capture" } });
    expect([captures.map((op) => op.amount), events, audit]).toEqual([[1_000], 1, 1]);
  });

  it("applies one key once when two payments race for it: the other request is refused as other input", async () => {
    const [first, second] = [await reserved(3_000), await reserved(3_000)];
    const sharedKey = key();
    const db = gateway.services.db;
    const outcomes: ReturnType<typeof mutate>[] = [];
    await db.$transaction(
      async (tx) => {
        // The second payment's capture reads (no record of the key yet) and its write waits for this lock.
        await tx.$queryRaw`SELECT id FROM "Transaction" WHERE id = ${uuidOf(second)}::uuid FOR UPDATE`;
        outcomes.push(mutate(gateway, admin, "captureTransaction", { transactionId: second, amount: 500, idempotencyKey: sharedKey }));
        await blockedWrites();
        // The first payment's capture under the same key finishes, or waits on the other's claim of it.
        const racing = mutate(gateway, admin, "captureTransaction", { transactionId: first, amount: 500, idempotencyKey: sharedKey });
        outcomes.push(racing);
        await Promise.race([racing, blockedWrites(2)]);
      },
      { timeout: 15_000 },
    );
    const results = await Promise.all(outcomes);
    expect(results.map((outcome) => outcome.result?.__typename).sort()).toEqual(["IdempotencyConflictError", "MutationCaptureTransactionSuccess"]);
    const captured = await db.transaction.findMany({ where: { id: { in: [uuidOf(first), uuidOf(second)] } }, select: { capturedAmount: true } });
    expect(captured.map((row) => row.capturedAmount).sort()).toEqual([0, 500]);
    expect(await db.idempotencyRecord.count({ where: { key: sharedKey } })).toBe(1);
  });
});

async function capturedPayment(): Promise<string> {
  const id = await reserved(2_000);
  succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, idempotencyKey: key() }));
  return id;
}

describe("parallel operations on one payment", () => {
  it("never captures more than was authorized when 60 partial captures race through HTTP", async () => {
    const authorized = 5_000;
    const share = 100;
    const id = await reserved(authorized);
    const results = await Promise.all(
      Array.from({ length: 60 }, () => mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: share, idempotencyKey: key() })),
    );
    const succeededCount = results.filter((outcome) => outcome.result?.__typename === "MutationCaptureTransactionSuccess").length;
    const refusals = results.filter((outcome) => outcome.result?.__typename !== "MutationCaptureTransactionSuccess");
    expect(refusals.every((outcome) => ["AmountExceededError", "InvalidStateError"].includes(outcome.result?.__typename ?? ""))).toBe(true);

    const row = await gateway.services.db.transaction.findUniqueOrThrow({ where: { id: uuidOf(id) } });
    expect(row.capturedAmount).toBeLessThanOrEqual(row.authorizedAmount);
    expect(succeededCount * share).toBe(row.capturedAmount);
    expect(succeededCount).toBe(authorized / share);
    expect(row.version).toBe(1 + succeededCount);
    const captures = await gateway.services.db.transactionOperation.count({ where: { transactionId: row.id, type: "CAPTURE" } });
    const events = await gateway.services.db.outboxEvent.count({ where: { aggregateId: row.id, type: "transaction.CAPTURED" } });
    expect([captures, events]).toEqual([succeededCount, succeededCount]);
  });

  it("never refunds more than was captured when captures, refunds and a cancel race", async () => {
    const id = await reserved(4_000);
    succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 2_000, idempotencyKey: key() }));
    const operations = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 100, idempotencyKey: key() })
        : i === 29
          ? mutate(gateway, admin, "cancelTransaction", { transactionId: id, idempotencyKey: key() })
          : mutate(gateway, admin, "refundTransaction", { transactionId: id, amount: 150, idempotencyKey: key() }),
    );
    await Promise.all(operations);
    const row = await gateway.services.db.transaction.findUniqueOrThrow({ where: { id: uuidOf(id) } });
    const ops = await gateway.services.db.transactionOperation.findMany({ where: { transactionId: row.id } });
    const sum = (type: string) => ops.filter((op) => op.type === type).reduce((total, op) => total + op.amount, 0);
    expect(row.capturedAmount + row.cancelledAmount).toBeLessThanOrEqual(row.authorizedAmount);
    expect(row.refundedAmount).toBeLessThanOrEqual(row.capturedAmount);
    expect([sum("CAPTURE"), sum("REFUND"), sum("CANCEL")]).toEqual([row.capturedAmount, row.refundedAmount, row.cancelledAmount]);
  });
});

/** Retries and races: idempotency keys, and many operations at once on one payment, through real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { apiKeyToken, footprint, key, mutate, newReference, requestPayment, startMoneyGateway, succeeded, unitByName } from "./support";
import { uuidOf } from "../support/ids";

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

/**
 * Time rules: the one-year refund window, unanswered requests expiring, and refusals leaving no trace.
 *
 * Time passes by moving the payment's stored timestamps back rather than by a fake clock: the rules read exactly
 * those columns, and the server under test stays the real one with the real clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExpiryPass } from "../../src/services/expiry";
import type { TestGateway } from "../support/gateway";
import { footprint, key, mutate, requestPayment, startMoneyGateway, succeeded, unitByName } from "./support";
import { uuidOf } from "../support/ids";

const DAY = 86_400_000;

let gateway: TestGateway;
let admin: string;
let testShop: string;

beforeAll(async () => {
  gateway = await startMoneyGateway();
  admin = await gateway.login("no-admin");
  testShop = (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).globalId;
});
afterAll(async () => gateway?.stop());

async function captured(amount: number): Promise<string> {
  const request = await requestPayment(gateway, admin, testShop, amount);
  succeeded(await mutate(gateway, admin, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" }));
  succeeded(await mutate(gateway, admin, "captureTransaction", { transactionId: request.id, idempotencyKey: key() }));
  return request.id;
}

/** Moves every timestamp of the payment `days` into the past, as if it had happened then. */
async function age(transactionId: string, days: number): Promise<void> {
  const shift = (date: Date | null) => (date ? new Date(date.getTime() - days * DAY) : null);
  const db = gateway.services.db;
  const row = await db.transaction.findUniqueOrThrow({ where: { id: uuidOf(transactionId) } });
  await db.transaction.update({
    where: { id: row.id },
    data: {
      createdAt: shift(row.createdAt)!,
      expiresAt: shift(row.expiresAt),
      reservedAt: shift(row.reservedAt),
      firstCapturedAt: shift(row.firstCapturedAt),
      lastCapturedAt: shift(row.lastCapturedAt),
    },
  });
}

describe("the refund window", () => {
  it("refunds 364 days after the capture", async () => {
    const id = await captured(3_000);
    await age(id, 364);
    expect(succeeded(await mutate(gateway, admin, "refundTransaction", { transactionId: id, amount: 1_000, idempotencyKey: key() })).refundedAmount).toBe(1_000);
  });

  it("refuses a refund more than one year after the capture", async () => {
    const id = await captured(3_000);
    await age(id, 366);
    const refused = await mutate(gateway, admin, "refundTransaction", { transactionId: id, idempotencyKey: key() });
    expect(refused.result).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect(refused.result?.message).toMatch(/365 days after the last capture/);
  });
});

describe("a refused operation", () => {
  it("leaves the payment row, its operations, the outbox, the audit log and the idempotency records as they were", async () => {
    const id = await captured(5_000);
    const db = gateway.services.db;
    const before = await footprint(gateway, id);
    // The background expiry job may expire a seeded request meanwhile; anything else written would show here.
    const totals = async () => ({
      outbox: await db.outboxEvent.count({ where: { type: { not: "transaction.EXPIRED" } } }),
      audit: await db.auditEvent.count({ where: { action: { not: "transaction.expire" } } }),
    });
    const totalsBefore = await totals();

    const refusals = [
      await mutate(gateway, admin, "refundTransaction", { transactionId: id, amount: 5_001, idempotencyKey: key() }),
      await mutate(gateway, admin, "captureTransaction", { transactionId: id, amount: 1, idempotencyKey: key() }),
      await mutate(gateway, admin, "cancelTransaction", { transactionId: id, idempotencyKey: key() }),
      await mutate(gateway, admin, "refundTransaction", { transactionId: id, amount: -5, idempotencyKey: key() }),
    ];
    expect(refusals.map((outcome) => outcome.result?.__typename)).toEqual(["AmountExceededError", "InvalidStateError", "InvalidStateError", "ValidationError"]);
    expect(await footprint(gateway, id)).toEqual(before);
    expect(await totals()).toEqual(totalsBefore);
  });
});

describe("the expiry job", () => {
  it("expires requests nobody answered within 10 minutes, as the system, and leaves open ones alone", async () => {
    const due = await requestPayment(gateway, admin, testShop, 1_000);
    const open = await requestPayment(gateway, admin, testShop, 1_000);
    await age(due.id, 11 / (24 * 60));

    expect(await runExpiryPass(gateway.services)).toBeGreaterThanOrEqual(1);

    const db = gateway.services.db;
    const [expired, waiting] = await Promise.all([uuidOf(due.id), uuidOf(open.id)].map((id) => db.transaction.findUniqueOrThrow({ where: { id } })));
    expect(expired?.status).toBe("EXPIRED");
    expect(waiting?.status).toBe("REQUESTED");
    const operation = await db.transactionOperation.findFirstOrThrow({ where: { transactionId: expired!.id, type: "EXPIRE" } });
    expect(operation).toMatchObject({ actorKind: "SYSTEM", amount: 1_000 });
    const event = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: expired!.id, type: "transaction.EXPIRED" } });
    expect(event.payload).toMatchObject({ status: "EXPIRED", amount: 1_000, authorizedAmount: 0, operationAmount: 0 });
    expect(await db.auditEvent.count({ where: { objectId: expired!.id, action: "transaction.expire", actorKind: "SYSTEM" } })).toBe(1);

    await runExpiryPass(gateway.services);
    expect(await db.transactionOperation.count({ where: { transactionId: expired!.id, type: "EXPIRE" } })).toBe(1);
    const late = await mutate(gateway, admin, "simulateCustomerAction", { transactionId: due.id, action: "APPROVE" });
    expect(late.result?.__typename).toBe("InvalidStateError");
  });

  it("refuses an answer that arrives after the request expired, even before the job ran", async () => {
    const request = await requestPayment(gateway, admin, testShop, 1_000);
    await age(request.id, 11 / (24 * 60));
    const late = await mutate(gateway, admin, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" });
    expect(late.result).toMatchObject({ __typename: "InvalidStateError" });
    expect(late.result?.message).toMatch(/send a new payment request/);
  });
});

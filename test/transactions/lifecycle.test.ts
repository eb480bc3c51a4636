/** A payment's life through the real HTTP API: request, the customer's answer, capture, cancel, refund. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { key, mutate, newReference, requestPayment, startMoneyGateway, succeeded, unitByName } from "./support";
import { uuidOf } from "../support/ids";
import { mutate as mutateWith } from "../support/mutate";

let gateway: TestGateway;
let admin: string;
let testShop: string;
let testTill: string;
let production: string;

beforeAll(async () => {
  gateway = await startMoneyGateway();
  admin = await gateway.login("no-admin");
  testShop = (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).globalId;
  testTill = (await unitByName(gateway, "Fjordkaffe Test Kasse")).globalId;
  production = (await unitByName(gateway, "Fjordkaffe Nettbutikk")).globalId;
});
afterAll(async () => gateway?.stop());

const simulate = (transactionId: string, action: "APPROVE" | "DECLINE") => mutate(gateway, admin, "simulateCustomerAction", { transactionId, action });
const capture = (transactionId: string, amount?: number) => mutate(gateway, admin, "captureTransaction", { transactionId, amount, idempotencyKey: key() });
const refund = (transactionId: string, amount?: number) => mutate(gateway, admin, "refundTransaction", { transactionId, amount, idempotencyKey: key() });
const cancel = (transactionId: string, amount?: number) => mutate(gateway, admin, "cancelTransaction", { transactionId, amount, idempotencyKey: key() });

async function reserved(amount: number): Promise<string> {
  const request = await requestPayment(gateway, admin, testShop, amount);
  succeeded(await simulate(request.id, "APPROVE"));
  return request.id;
}

describe("a payment's life", () => {
  it("goes from request through approval, two captures and two refunds, keeping every aggregate", async () => {
    const request = await requestPayment(gateway, admin, testShop, 10_000);
    expect(request).toMatchObject({ status: "REQUESTED", amount: 10_000, authorizedAmount: 0, currency: "NOK" });

    expect(succeeded(await simulate(request.id, "APPROVE"))).toMatchObject({ status: "RESERVED", authorizedAmount: 10_000, capturedAmount: 0 });
    expect(succeeded(await capture(request.id, 4_000))).toMatchObject({ status: "CAPTURED", capturedAmount: 4_000 });
    expect(succeeded(await capture(request.id))).toMatchObject({ status: "CAPTURED", capturedAmount: 10_000 });
    expect(succeeded(await refund(request.id, 2_500))).toMatchObject({ status: "REFUNDED", refundedAmount: 2_500 });
    expect(succeeded(await refund(request.id))).toMatchObject({ status: "REFUNDED", capturedAmount: 10_000, refundedAmount: 10_000 });
  });

  it("shows every operation with who did it, and writes one outbox event and one audit row per change", async () => {
    const id = await reserved(8_000);
    succeeded(await capture(id, 3_000));
    succeeded(await refund(id, 1_000));

    const detail = await gateway.graphql<{ node: { operations: { type: string; amount: number; actorKind: string; actorLabel: string }[] } }>(
      admin,
      `query($id: ID!) { node(id: $id) { ... on Transaction { operations { type amount actorKind actorLabel } } } }`,
      { id },
    );
    const name = gateway.persona("no-admin").name;
    expect(detail.data?.node.operations).toEqual([
      { type: "REQUEST", amount: 8_000, actorKind: "USER", actorLabel: name },
      { type: "APPROVE", amount: 8_000, actorKind: "USER", actorLabel: name },
      { type: "CAPTURE", amount: 3_000, actorKind: "USER", actorLabel: name },
      { type: "REFUND", amount: 1_000, actorKind: "USER", actorLabel: name },
    ]);

    const db = gateway.services.db;
    const events = await db.outboxEvent.findMany({ where: { aggregateId: uuidOf(id) }, orderBy: { id: "asc" } });
    expect(events.map((event) => event.type)).toEqual(["transaction.REQUESTED", "transaction.RESERVED", "transaction.CAPTURED", "transaction.REFUNDED"]);
    expect(events.every((event) => event.aggregateType === "Transaction")).toBe(true);
    expect(events[3]?.payload).toMatchObject({
      transactionId: uuidOf(id),
      event: "REFUNDED",
      status: "REFUNDED",
      operationAmount: 1_000,
      amount: 8_000,
      authorizedAmount: 8_000,
      capturedAmount: 3_000,
      refundedAmount: 1_000,
      cancelledAmount: 0,
      currency: "NOK",
      version: 3,
    });
    const audit = await db.auditEvent.findMany({ where: { objectType: "Transaction", objectId: uuidOf(id) }, orderBy: { id: "asc" } });
    expect(audit.map((row) => row.action)).toEqual(["transaction.request", "transaction.approve", "transaction.capture", "transaction.refund"]);
  });

  it("ends as REJECTED when the customer declines, and then nothing can be captured", async () => {
    const request = await requestPayment(gateway, admin, testShop, 5_000);
    expect(succeeded(await simulate(request.id, "DECLINE"))).toMatchObject({ status: "REJECTED", authorizedAmount: 0 });
    const refused = await capture(request.id);
    expect(refused.result).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect((await simulate(request.id, "APPROVE")).result?.__typename).toBe("InvalidStateError");
  });

  it("cancels a reservation, releasing all of it", async () => {
    const id = await reserved(6_000);
    expect(succeeded(await cancel(id))).toMatchObject({ status: "CANCELLED", cancelledAmount: 6_000, capturedAmount: 0 });
  });

  it("cancels the rest after a partial capture, leaving the payment captured and nothing more to capture", async () => {
    const id = await reserved(10_000);
    succeeded(await capture(id, 3_000));
    expect(succeeded(await cancel(id, 7_000))).toMatchObject({ status: "CAPTURED", capturedAmount: 3_000, cancelledAmount: 7_000 });
    expect((await capture(id, 1)).result?.__typename).toBe("InvalidStateError");
    expect(succeeded(await refund(id))).toMatchObject({ refundedAmount: 3_000 });
  });

  it("refuses a cancel whose amount is not what it would release", async () => {
    const id = await reserved(4_000);
    expect((await cancel(id, 1_000)).result).toMatchObject({ __typename: "ValidationError", field: "amount" });
  });

  it("refuses a capture and a cancel after a full capture", async () => {
    const id = await reserved(2_000);
    succeeded(await capture(id));
    const again = await capture(id);
    expect(again.result).toMatchObject({ __typename: "InvalidStateError" });
    expect(again.result?.message).toMatch(/already captured/);
    expect((await cancel(id)).result?.__typename).toBe("InvalidStateError");
  });

  it("refuses a refund above what was captured with AmountExceededError and the amount still refundable", async () => {
    const id = await reserved(9_000);
    succeeded(await capture(id, 5_000));
    succeeded(await refund(id, 1_000));
    const refused = await refund(id, 4_001);
    expect(refused.result).toMatchObject({ __typename: "AmountExceededError", code: "AMOUNT_EXCEEDED", availableAmount: 4_000 });
  });

  it("refuses a capture above what is reserved with AmountExceededError", async () => {
    const id = await reserved(3_000);
    expect((await capture(id, 3_001)).result).toMatchObject({ __typename: "AmountExceededError", availableAmount: 3_000 });
  });

  it("captures at once on a sales unit with direct capture, recording the approval and the capture", async () => {
    const request = await requestPayment(gateway, admin, testTill, 4_500);
    expect(succeeded(await simulate(request.id, "APPROVE"))).toMatchObject({ status: "CAPTURED", authorizedAmount: 4_500, capturedAmount: 4_500 });
    const operations = await gateway.services.db.transactionOperation.findMany({ where: { transactionId: uuidOf(request.id) }, orderBy: { createdAt: "asc" } });
    expect(operations.map((op) => [op.type, op.amount])).toEqual([["REQUEST", 4_500], ["APPROVE", 4_500], ["CAPTURE", 4_500]]);
    const events = await gateway.services.db.outboxEvent.findMany({ where: { aggregateId: uuidOf(request.id) }, orderBy: { id: "asc" } });
    expect(events.map((event) => event.type)).toEqual(["transaction.REQUESTED", "transaction.CAPTURED"]);
  });

  it("answers each change with the payment exactly as it was stored", async () => {
    // The changed row is built from the locked row and the state machine's answer, not read back: it must equal a read.
    const fields = `id status amount authorizedAmount capturedAmount refundedAmount cancelledAmount currency reference createdAt updatedAt
      expiresAt reservedAt payer { name phoneNumber email } availableActions { capture { maxAmount deadline } refund { maxAmount deadline } cancel { amount deadline } }`;
    const stored = async (id: string) =>
      (await gateway.graphql<{ node: unknown }>(admin, `query($id: ID!) { node(id: $id) { ... on Transaction { ${fields} } } }`, { id })).data?.node;
    const change = async (name: "simulateCustomerAction" | "captureTransaction" | "refundTransaction" | "cancelTransaction", input: Record<string, unknown>) => {
      const answer = succeeded(await mutateWith(gateway, admin, name, input, fields)) as { id: string; updatedAt: string };
      expect(answer).toEqual(await stored(answer.id));
      return answer;
    };
    const request = await requestPayment(gateway, admin, testShop, 7_000);
    const approved = await change("simulateCustomerAction", { transactionId: request.id, action: "APPROVE" });
    const captured = await change("captureTransaction", { transactionId: request.id, amount: 2_000, idempotencyKey: key() });
    expect(Date.parse(captured.updatedAt)).toBeGreaterThanOrEqual(Date.parse(approved.updatedAt));
    await change("refundTransaction", { transactionId: request.id, amount: 500, idempotencyKey: key() });
    await change("cancelTransaction", { transactionId: request.id, idempotencyKey: key() });
  });

  it("simulates customers only on test sales units", async () => {
    const request = await requestPayment(gateway, admin, production, 1_000);
    const refused = await simulate(request.id, "APPROVE");
    expect(refused.result).toMatchObject({ __typename: "InvalidStateError" });
    expect(refused.result?.message).toMatch(/production unit/);
  });
});

describe("availableActions", () => {
  const query = `query($id: ID!) { node(id: $id) { ... on Transaction { availableActions {
    capture { maxAmount deadline } cancel { amount deadline } refund { maxAmount deadline } } } } }`;
  type Actions = { node: { availableActions: Record<"capture" | "cancel" | "refund", Record<string, unknown> | null> } };

  it("tells what can be captured, cancelled and refunded now", async () => {
    const id = await reserved(7_000);
    succeeded(await capture(id, 2_000));
    const answer = await gateway.graphql<Actions>(admin, query, { id });
    const actions = answer.data?.node.availableActions;
    expect(actions?.capture).toMatchObject({ maxAmount: 5_000 });
    expect(actions?.cancel).toMatchObject({ amount: 5_000 });
    expect(actions?.refund).toMatchObject({ maxAmount: 2_000 });
    const refundDeadline = new Date(actions?.refund?.deadline as string).getTime();
    expect(refundDeadline - Date.now()).toBeGreaterThan(364 * 86_400_000);
  });

  it("offers nothing to a viewer without Transaction Management", async () => {
    const id = await reserved(1_500);
    const viewer = await gateway.login("no-assistant-dev");
    const answer = await gateway.graphql<Actions>(viewer, query, { id });
    expect(answer.data?.node.availableActions).toEqual({ capture: null, cancel: null, refund: null });
  });
});

describe("payment requests", () => {
  const request = (input: Record<string, unknown>) =>
    mutate(gateway, admin, "requestPayment", {
      salesUnitId: testShop,
      amount: 1_000,
      phoneNumber: "+47 912 34 567",
      reference: newReference(),
      description: "Kaffe",
      idempotencyKey: key(),
      ...input,
    });

  it("stores the phone number in E.164 and expires after 10 minutes", async () => {
    const data = succeeded(await request({ phoneNumber: "+47 912 34 567" }));
    const row = await gateway.services.db.transaction.findUniqueOrThrow({ where: { id: uuidOf(data.id) } });
    expect(row.payerPhone).toBe("+4791234567");
    expect(row.expiresAt!.getTime() - row.createdAt.getTime()).toBe(10 * 60_000);
  });

  it("refuses invalid input with a typed error naming the field", async () => {
    expect((await request({ phoneNumber: "12345" })).result).toMatchObject({ __typename: "ValidationError", field: "phoneNumber" });
    expect((await request({ amount: 0 })).result).toMatchObject({ __typename: "ValidationError", field: "amount" });
    expect((await request({ reference: "short" })).result).toMatchObject({ __typename: "ValidationError", field: "reference" });
    expect((await request({ idempotencyKey: "not a key!" })).result).toMatchObject({ __typename: "ValidationError", field: "idempotencyKey" });
  });

  it("refuses a reference already used on the sales unit", async () => {
    const reference = newReference();
    succeeded(await request({ reference }));
    expect((await request({ reference })).result).toMatchObject({ __typename: "ConflictError", field: "reference" });
  });

  it("refuses a deactivated sales unit", async () => {
    const dkAdmin = await gateway.login("dk-admin");
    const deactivated = await unitByName(gateway, "Hygge Cykler Vesterbro");
    const refused = await mutate(gateway, dkAdmin, "requestPayment", {
      salesUnitId: deactivated.globalId,
      amount: 1_000,
      phoneNumber: "+4520123456",
      reference: newReference(),
      description: "Cykelhjelm",
      idempotencyKey: key(),
    });
    expect(refused.result).toMatchObject({ __typename: "InvalidStateError" });
  });
});

/**
 * What a stopping worker, an unsendable row and a lease that ran out do to deliveries: none is the receiver's failure.
 * A delivery in flight when its instance stops is handed back untried (no attempt, no strike against the endpoint,
 * however late in its retry window); a delivery that cannot even be prepared fails like an attempt, so it backs off
 * and gives up instead of holding up its object's later events for ever; a worker that finishes an attempt after
 * another instance claimed the delivery leaves that claim alone.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { createCapturedEndpoint, FAST_WEBHOOKS, startReceiver, type Receiver } from "./support";

let owner: TestGateway;
let receiver: Receiver;

beforeAll(async () => {
  // This instance sends nothing: each test starts the one whose worker it watches.
  owner = await startTestGateway({ ...FAST_WEBHOOKS, WEBHOOKS: "false" });
  receiver = await startReceiver(() => "hang");
});

afterAll(async () => {
  await receiver?.close();
  await owner?.stop();
});

it("hands a delivery in flight back untried when its instance stops, even past the retry window", async () => {
  const db = owner.services.db;
  const unit = await createCapturedEndpoint(owner, `${receiver.url}/hangs`);
  const worker = await startTestGateway({ ...FAST_WEBHOOKS, WEBHOOK_RETRY_WINDOW_MS: "300", WEBHOOK_TIMEOUT_MS: "60000" }, { sharing: owner });
  try {
    const payment = await createReservedPayment(db, unit.msn);
    await captureOneOre(db, payment.id);
    await waitFor("the receiver to hold the request", () => receiver.received.length >= 1);
    // Well past the retry window: a failure recorded now would give up and switch the endpoint off.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await worker.stop();
  }
  const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpoint: { url: `${receiver.url}/hangs` } }, include: { endpoint: true } });
  expect(delivery).toMatchObject({ status: "PENDING", attemptCount: 0, firstAttemptAt: null, leaseUntil: null, endpoint: { status: "ENABLED" } });
  expect(await db.webhookAttempt.count({ where: { deliveryId: delivery.id } })).toBe(0);
  await db.webhookEndpoint.update({ where: { id: delivery.endpointId }, data: { status: "DISABLED" } });
});

it("fails a delivery it cannot prepare like an attempt: it backs off, then gives up after the window", async () => {
  const db = owner.services.db;
  const unit = await createCapturedEndpoint(owner, `${receiver.url}/unsendable`);
  const endpoint = await db.webhookEndpoint.findFirstOrThrow({ where: { url: `${receiver.url}/unsendable` } });
  await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { secretEncrypted: "no longer decrypts" } });
  const worker = await startTestGateway({ ...FAST_WEBHOOKS, WEBHOOK_RETRY_WINDOW_MS: "300" }, { sharing: owner });
  try {
    const payment = await createReservedPayment(db, unit.msn);
    await captureOneOre(db, payment.id);
    await waitFor("the delivery to be given up", async () => (await db.webhookDelivery.count({ where: { endpointId: endpoint.id, status: "FAILED" } })) === 1, 10_000);
  } finally {
    await worker.stop();
  }
  const attempts = await db.webhookAttempt.findMany({ where: { delivery: { endpointId: endpoint.id } } });
  expect(attempts.length).toBeGreaterThanOrEqual(1);
  expect(attempts.every((attempt) => attempt.error === "The gateway could not prepare this delivery.")).toBe(true);
  expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({ status: "DISABLED" });
  expect(receiver.received.filter((request) => request.path === "/unsendable")).toEqual([]);
});

it("leaves a delivery alone that another instance claimed after this one's lease ran out", async () => {
  const db = owner.services.db;
  const unit = await createCapturedEndpoint(owner, `${receiver.url}/stalled`);
  // The attempt times out after 1.5 s and is recorded then: by that time the row is another instance's.
  const worker = await startTestGateway({ ...FAST_WEBHOOKS, WEBHOOK_TIMEOUT_MS: "1500" }, { sharing: owner });
  const theirs = new Date(Date.now() + 60_000);
  try {
    const payment = await createReservedPayment(db, unit.msn);
    await captureOneOre(db, payment.id);
    await waitFor("the receiver to hold the request", () => receiver.received.some((request) => request.path === "/stalled"));
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpoint: { url: `${receiver.url}/stalled` } } });
    // What another instance's claim does once this one's lease has run out.
    await db.webhookDelivery.update({ where: { id: delivery.id }, data: { attemptCount: { increment: 1 }, leaseUntil: theirs } });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  } finally {
    await worker.stop();
  }
  const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpoint: { url: `${receiver.url}/stalled` } } });
  expect(delivery).toMatchObject({ status: "PENDING", attemptCount: 2, leaseUntil: theirs, lastError: null });
  expect(await db.webhookAttempt.count({ where: { deliveryId: delivery.id } })).toBe(0);
  await db.webhookEndpoint.update({ where: { id: delivery.endpointId }, data: { status: "DISABLED" } });
});

/**
 * The retry window counts from a delivery's first attempt: a delivery that waited long before it was first tried
 * (behind its object's earlier events, or while its endpoint was disabled) is retried for the whole window, instead
 * of being given up, and its endpoint switched off, at its first failure.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { createCapturedEndpoint, FAST_WEBHOOKS, startReceiver, type Receiver } from "./support";

let owner: TestGateway;
let receiver: Receiver;

beforeAll(async () => {
  // This instance sends nothing: the test starts the one whose worker it watches once the delivery waits.
  owner = await startTestGateway({ ...FAST_WEBHOOKS, WEBHOOKS: "false" });
  // Down for two attempts, then back.
  receiver = await startReceiver((_request, index) => (index < 2 ? 503 : 200));
});

afterAll(async () => {
  await receiver?.close();
  await owner?.stop();
});

it("retries a delivery first tried long after it was queued for the whole window, not once", async () => {
  const db = owner.services.db;
  const unit = await createCapturedEndpoint(owner, `${receiver.url}/late`);
  const endpoint = await db.webhookEndpoint.findFirstOrThrow({ where: { url: `${receiver.url}/late` } });
  const payment = await createReservedPayment(db, unit.msn);
  await captureOneOre(db, payment.id);
  const event = await waitFor("the capture to be numbered", () =>
    db.outboxEvent.findFirst({ where: { aggregateId: payment.id, type: "transaction.CAPTURED", deliverySeq: { not: null } } }),
  );
  // Queued two hours ago, twice the window below, and never tried since (its endpoint was off meanwhile, say).
  const queued = new Date(Date.now() - 2 * 3_600_000);
  const delivery = await db.webhookDelivery.create({
    data: { endpointId: endpoint.id, outboxEventId: event.id, deliverySeq: event.deliverySeq!, eventType: event.type, aggregateId: payment.id, nextAttemptAt: queued, createdAt: queued },
  });
  await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { cursor: event.deliverySeq! } });

  const worker = await startTestGateway({ ...FAST_WEBHOOKS, WEBHOOK_RETRY_WINDOW_MS: "3600000" }, { sharing: owner });
  try {
    const settled = await waitFor("the delivery to settle", async () => {
      const row = await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      return row.status === "PENDING" ? null : row;
    });
    expect(settled).toMatchObject({ status: "SUCCEEDED", attemptCount: 3 });
    expect(settled.firstAttemptAt!.getTime()).toBeGreaterThan(queued.getTime() + 3_600_000);
  } finally {
    await worker.stop();
  }
  expect(receiver.received.map((request) => request.status)).toEqual([503, 503, 200]);
  expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({ status: "ENABLED" });
});

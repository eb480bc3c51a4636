/**
 * Two gateways on one database, both with their webhook workers polling every 25 ms and woken by their own relays:
 * they race for the same fan-out and the same due deliveries. Each event still reaches the receiver once, in order per
 * payment, with a receiver that fails now and then so retries (and their leases) are raced for too.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { createCapturedEndpoint, FAST_WEBHOOKS, startReceiver, type Receiver } from "./support";

let first: TestGateway;
let second: TestGateway;
let receiver: Receiver;

beforeAll(async () => {
  first = await startTestGateway(FAST_WEBHOOKS);
  second = await startTestGateway(FAST_WEBHOOKS, { sharing: first });
  // Every seventh request is refused: those deliveries are retried, and either instance may take the retry.
  receiver = await startReceiver((_request, index) => (index % 7 === 3 ? 503 : 200));
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await receiver?.close();
});

const bodyOf = (entry: { body: string }) => JSON.parse(entry.body) as { id: string; object: { id: string }; data: { capturedAmount: number } };

it("delivers each event once, in order per payment, when two instances' workers race for it", async () => {
  const unit = await createCapturedEndpoint(first, `${receiver.url}/hooks`);

  const payments = await Promise.all([1, 2, 3, 4].map(() => createReservedPayment(first.services.db, unit.msn)));
  const ROUNDS = 6;
  // Each payment's captures in order; the payments side by side, through both instances' connections.
  await Promise.all(
    payments.map(async (payment, index) => {
      const db = (index % 2 === 0 ? first : second).services.db;
      for (let round = 0; round < ROUNDS; round++) await captureOneOre(db, payment.id);
    }),
  );
  const expected = payments.length * ROUNDS;
  await waitFor(`${expected} acknowledged deliveries`, () => receiver.acknowledged().length >= expected, 30_000);
  // Time for a duplicate to show up, were one on its way: well over the poll interval and the retry delays.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const acknowledged = receiver.acknowledged();
  expect(acknowledged).toHaveLength(expected);
  expect(new Set(acknowledged.map((entry) => String(entry.headers["x-webhook-delivery-id"]))).size).toBe(expected);
  expect(new Set(acknowledged.map((entry) => bodyOf(entry).id)).size).toBe(expected);
  for (const payment of payments) {
    const captures = acknowledged.filter((entry) => bodyOf(entry).object.id === encodeGlobalID("Transaction", payment.id)).map((entry) => bodyOf(entry).data.capturedAmount);
    expect(captures).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
  }
  expect(receiver.received.filter((entry) => entry.status === 503).length).toBeGreaterThan(0);
});

/**
 * A webhook worker in an instance without a relay (`OUTBOX_RELAY=false`) is woken by another instance's announcement
 * through Redis: with its own poll ten minutes apart, the payment's event still goes out at once. One instance numbers
 * the outbox and runs no worker (`WEBHOOKS=false`); the other runs the only worker and numbers nothing.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, redisPrefix, REDIS_URL, waitFor } from "../events/support";
import { createCapturedEndpoint, startReceiver, type Receiver } from "./support";

let relaying: TestGateway;
let delivering: TestGateway | undefined;
let receiver: Receiver;
const prefix = redisPrefix();

beforeAll(async () => {
  relaying = await startTestGateway({ REDIS_URL, REDIS_CHANNEL_PREFIX: prefix, WEBHOOKS: "false", WEBHOOK_ALLOW_PRIVATE_NETWORK: "true", OUTBOX_POLL_INTERVAL_MS: "25" });
  receiver = await startReceiver();
});

afterAll(async () => {
  await delivering?.stop();
  await relaying?.stop();
  await receiver?.close();
});

it("delivers as soon as another instance's relay announces the event, without waiting for its own poll", async () => {
  const unit = await createCapturedEndpoint(relaying, `${receiver.url}/hooks`);

  // Started once the endpoint exists, so its first look finds it enabled; after that only news or its poll wake it.
  const worker = await startTestGateway(
    { REDIS_URL, REDIS_CHANNEL_PREFIX: prefix, OUTBOX_RELAY: "false", WEBHOOK_ALLOW_PRIVATE_NETWORK: "true", WEBHOOK_POLL_INTERVAL_MS: "600000" },
    { sharing: relaying },
  );
  delivering = worker;
  await waitFor("both instances connected to Redis", () => relaying.services.events.bus.connected && worker.services.events.bus.connected);
  // The worker's first pass (at start) has nothing to send yet.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(receiver.received).toHaveLength(0);

  const payment = await createReservedPayment(relaying.services.db, unit.msn);
  await captureOneOre(relaying.services.db, payment.id);

  const [delivered] = await waitFor("the delivery", () => (receiver.received.length >= 1 ? receiver.received : null));
  expect(JSON.parse(delivered!.body)).toMatchObject({ type: "transaction.CAPTURED", object: { id: encodeGlobalID("Transaction", payment.id) } });
});

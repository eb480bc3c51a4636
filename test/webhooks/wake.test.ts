/**
 * The webhook worker is woken by the relay, not only by its poll: with a poll interval far longer than the test, a
 * newly created endpoint still gets the next event, because the relayed batch that carries the endpoint's own
 * `webhookEndpoint.CREATED` drops the worker's cached "any endpoint enabled?" answer, and the payment's batch starts a
 * pass at once.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { createCapturedEndpoint, startReceiver, type Receiver } from "./support";

let gateway: TestGateway;
let receiver: Receiver;

beforeAll(async () => {
  gateway = await startTestGateway({
    WEBHOOK_ALLOW_PRIVATE_NETWORK: "true",
    // Ten minutes: within this test the worker's timer never fires (and it trusts "no endpoint enabled" for 5 s).
    WEBHOOK_POLL_INTERVAL_MS: "600000",
    OUTBOX_POLL_INTERVAL_MS: "25",
  });
  receiver = await startReceiver();
});

afterAll(async () => {
  await gateway?.stop();
  await receiver?.close();
});

it("delivers a new endpoint's first event when the relay numbers it, without waiting for the worker's poll", async () => {
  const unit = await createCapturedEndpoint(gateway, `${receiver.url}/hooks`);
  const payment = await createReservedPayment(gateway.services.db, unit.msn);
  await captureOneOre(gateway.services.db, payment.id);

  const [delivered] = await waitFor("the delivery", () => (receiver.received.length >= 1 ? receiver.received : null));
  expect(JSON.parse(delivered!.body)).toMatchObject({ type: "transaction.CAPTURED", object: { id: encodeGlobalID("Transaction", payment.id) } });
});

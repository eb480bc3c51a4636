/**
 * Outside development a webhook cannot reach the gateway's own network: such URLs are refused when registered, and
 * a host name that resolves to a private address at delivery time (DNS rebinding, a stale registration) is refused
 * after resolving it, before any byte is sent. This gateway runs without WEBHOOK_ALLOW_PRIVATE_NETWORK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { startReceiver, type Receiver } from "./support";
import { encryptSecret } from "../../src/auth/secrets";

let gateway: TestGateway;
let hook: Receiver;

beforeAll(async () => {
  gateway = await startTestGateway({ WEBHOOK_POLL_INTERVAL_MS: "25", OUTBOX_POLL_INTERVAL_MS: "25", WEBHOOK_RETRY_BASE_MS: "10", WEBHOOK_RETRY_MAX_DELAY_MS: "50" });
  hook = await startReceiver();
});

afterAll(async () => {
  await gateway?.stop();
  await hook?.close();
});

describe("webhook targets in the gateway's own network", () => {
  it.each(["https://127.0.0.1/hooks", "https://localhost/hooks", "https://10.0.0.7/hooks", "https://169.254.169.254/latest/meta-data", "https://[::1]/hooks", "https://100.64.1.1/", "http://127.0.0.1:8080/"])(
    "refuses to register %s",
    async (url) => {
      const admin = await gateway.token("no-admin");
      const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { msn: { in: gateway.persona("no-admin").salesUnits } } });
      const response = await gateway.graphql<{ createWebhookEndpoint: { __typename: string; field?: string } }>(
        admin,
        `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on ValidationError { field } } }`,
        { input: { merchantId: encodeGlobalID("Merchant", unit.merchantId), url, eventTypes: ["transaction.CAPTURED"] } },
      );
      expect(response.data!.createWebhookEndpoint).toEqual({ __typename: "ValidationError", field: "url" });
    },
  );

  it("refuses at delivery time a host name that resolves to loopback, and an address literal, sending nothing", async () => {
    const db = gateway.services.db;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { msn: { in: gateway.persona("no-admin").salesUnits }, environment: "PRODUCTION" } });
    const port = new URL(hook.url).port;
    // Written past the registration check, as a name whose DNS answer changed after it was registered would be.
    const byName = await db.webhookEndpoint.create({
      data: { merchantId: unit.merchantId, url: `http://localhost:${port}/rebound`, eventTypes: ["transaction.CAPTURED"], secretEncrypted: encryptSecret("whsec_test", gateway.services.encryptionKey) },
    });
    const byAddress = await db.webhookEndpoint.create({
      data: { merchantId: unit.merchantId, url: `http://127.0.0.1:${port}/literal`, eventTypes: ["transaction.CAPTURED"], secretEncrypted: encryptSecret("whsec_test", gateway.services.encryptionKey) },
    });
    const { _max } = await db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
    await db.webhookEndpoint.updateMany({ where: { id: { in: [byName.id, byAddress.id] } }, data: { cursor: _max.deliverySeq ?? 0n } });
    const payment = await createReservedPayment(db, unit.msn);
    await captureOneOre(db, payment.id);

    const attempts = await waitFor("a refused attempt for each endpoint", async () => {
      const rows = await db.webhookAttempt.findMany({ where: { delivery: { endpointId: { in: [byName.id, byAddress.id] } } }, include: { delivery: true } });
      const endpoints = new Set(rows.map((row) => row.delivery.endpointId));
      return endpoints.size === 2 ? rows : null;
    });
    for (const attempt of attempts) expect(attempt.statusCode).toBeNull();
    // The literal the owner registered is named; a name is refused without saying where it points (the owner reads this error).
    expect(attempts.find((row) => row.delivery.endpointId === byAddress.id)?.error).toMatch(/(127\.0\.0\.1|::1) is a private, loopback, link-local or otherwise reserved address/);
    const refusal = attempts.find((row) => row.delivery.endpointId === byName.id)?.error;
    expect(refusal).toMatch(/^localhost resolves to a loopback, private or otherwise non-public address/);
    expect(refusal).not.toContain("127.0.0.1");
    expect(hook.received).toEqual([]);
  });
});

/**
 * An endpoint that keeps failing for the whole retry window (shortened here to a moment) is disabled: its delivery
 * ends FAILED, an audit row names the system as the actor, and the merchant's Administrators get an e-mail.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { startReceiver, type Receiver } from "./support";

let gateway: TestGateway;
let hook: Receiver;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "webhooks-disable-"));
  gateway = await startTestGateway({
    DATA_DIR: dataDir,
    WEBHOOK_ALLOW_PRIVATE_NETWORK: "true",
    WEBHOOK_POLL_INTERVAL_MS: "25",
    OUTBOX_POLL_INTERVAL_MS: "25",
    WEBHOOK_RETRY_BASE_MS: "10",
    WEBHOOK_RETRY_MAX_DELAY_MS: "20",
    WEBHOOK_RETRY_WINDOW_MS: "1500",
  });
  hook = await startReceiver(() => 500);
});

afterAll(async () => {
  await gateway?.stop();
  await hook?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("an endpoint that keeps failing", () => {
  it("is disabled after the retry window, with an audit row and an e-mail to the merchant's Administrators", async () => {
    const db = gateway.services.db;
    const admin = await gateway.token("no-admin");
    const unit = await db.salesUnit.findFirstOrThrow({ where: { msn: { in: gateway.persona("no-admin").salesUnits }, environment: "PRODUCTION" } });
    const created = await gateway.graphql<{ createWebhookEndpoint: { data: { endpoint: { id: string } } } }>(
      admin,
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on MutationCreateWebhookEndpointSuccess { data { endpoint { id } } } } }`,
      { input: { merchantId: encodeGlobalID("Merchant", unit.merchantId), url: `${hook.url}/down`, eventTypes: ["transaction.CAPTURED"] } },
    );
    const endpointId = created.data!.createWebhookEndpoint.data.endpoint.id;
    const payment = await createReservedPayment(db, unit.msn);
    await captureOneOre(db, payment.id);

    const disabled = await waitFor("the endpoint to be disabled", async () => {
      const response = await gateway.graphql<{ node: { status: string; disabledReason: string | null; deliveries: { nodes: { status: string; attemptCount: number }[] } } }>(
        admin,
        `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { status disabledReason deliveries(first: 5) { nodes { status attemptCount } } } } }`,
        { id: endpointId },
      );
      return response.data?.node?.status === "DISABLED" ? response.data.node : null;
    });
    expect(disabled.disabledReason).toMatch(/answered 500/);
    expect(disabled.deliveries.nodes).toEqual([{ status: "FAILED", attemptCount: expect.any(Number) }]);
    expect(disabled.deliveries.nodes[0]!.attemptCount).toBeGreaterThan(1);

    const audit = await db.auditEvent.findFirstOrThrow({ where: { objectType: "WebhookEndpoint", action: "webhookEndpoint.disable" } });
    expect(audit).toMatchObject({ actorKind: "SYSTEM", merchantId: unit.merchantId });

    const administrators = await db.portalUser.findMany({
      where: { email: { not: null }, anonymizedAt: null, memberships: { some: { merchantId: unit.merchantId, role: "ADMINISTRATOR" } } },
      select: { email: true },
    });
    expect(administrators.length).toBeGreaterThan(0);
    const mails = await waitFor("the e-mails", async () => {
      const names = await readdir(path.join(dataDir, "outbox-mail")).catch(() => []);
      return names.length >= administrators.length ? names : null;
    });
    const texts = await Promise.all(mails.map((name) => readFile(path.join(dataDir, "outbox-mail", name), "utf8")));
    for (const { email } of administrators) expect(texts.some((text) => text.includes(`To: ${email}`))).toBe(true);
    expect(texts.every((text) => text.includes("Your webhook endpoint was disabled"))).toBe(true);
  });
});

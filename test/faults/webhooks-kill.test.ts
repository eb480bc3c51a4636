/**
 * The gateway killed with SIGKILL while it delivers webhooks, events written while it is down, then started again:
 * the receiver gets every event (at least once: what was in flight at the kill may come twice), and each payment's
 * events first arrive in the order they happened. Nothing of the delivery state lived only in the killed process.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type Db } from "../../src/db/client";
import { captureOneOre, createReservedPayment } from "../events/support";
import { startReceiver, verifies, type Receiver } from "../webhooks/support";
import { freePort, loginAs, ownPostgres, spawnGateway, waitFor, type GatewayProcess, type OwnPostgres } from "./support";

let postgres: OwnPostgres;
let gateway: GatewayProcess;
let port: number;
let db: Db;
let hook: Receiver;

const start = () =>
  spawnGateway(
    { DATABASE_URL: postgres.url, OUTBOX_POLL_INTERVAL_MS: "100", WEBHOOK_ALLOW_PRIVATE_NETWORK: "true", WEBHOOK_POLL_INTERVAL_MS: "50", WEBHOOK_TIMEOUT_MS: "1000" },
    port,
  );

beforeAll(async () => {
  postgres = await ownPostgres();
  port = await freePort();
  hook = await startReceiver();
  gateway = await start();
  db = createPrisma(postgres.url, { poolSize: 2 });
});
afterAll(async () => {
  await gateway?.kill("SIGTERM");
  await hook?.close();
  await db?.$disconnect();
  await postgres?.destroy();
});

interface Body {
  id: string;
  object: { id: string };
  data: { capturedAmount: number };
}

describe("kill -9 during webhook delivery", () => {
  it("loses no event and keeps each payment's order", async () => {
    const token = await loginAs(gateway.url, "no-admin");
    const unit = await db.salesUnit.findFirstOrThrow({ where: { environment: "PRODUCTION", status: "ACTIVE", merchant: { country: "NO" } } });
    const created = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on MutationCreateWebhookEndpointSuccess { data { secret } } ... on Error { message } } }`,
        variables: { input: { merchantId: encodeGlobalID("Merchant", unit.merchantId), url: `${hook.url}/kill`, eventTypes: ["transaction.CAPTURED"] } },
      }),
    }).then((response) => response.json() as Promise<{ data: { createWebhookEndpoint: { data?: { secret: string }; message?: string } } }>);
    const secret = created.data.createWebhookEndpoint.data?.secret;
    expect(secret, created.data.createWebhookEndpoint.message).toBeDefined();

    const payments = await Promise.all([1, 2, 3, 4].map(() => createReservedPayment(db, unit.msn)));
    const perPayment = 15;
    for (let round = 0; round < 10; round++) for (const payment of payments) await captureOneOre(db, payment.id);
    await waitFor("deliveries before the kill", () => hook.acknowledged().length >= 8, 30_000);
    await gateway.kill("SIGKILL");
    expect(gateway.exit).toEqual({ code: null, signal: "SIGKILL" });
    // Written while no gateway runs: the outbox keeps them until one does.
    for (let round = 10; round < perPayment; round++) for (const payment of payments) await captureOneOre(db, payment.id);

    gateway = await start();
    const total = payments.length * perPayment;
    const firstArrivals = () => {
      const seen = new Map<string, Body>();
      for (const entry of hook.acknowledged()) {
        const body = JSON.parse(entry.body) as Body;
        if (!seen.has(body.id)) seen.set(body.id, body);
      }
      return [...seen.values()];
    };
    await waitFor("every event at the receiver", () => firstArrivals().length >= total, 60_000);

    const arrivals = firstArrivals();
    expect(arrivals).toHaveLength(total);
    for (const payment of payments) {
      const captures = arrivals.filter((body) => body.object.id === encodeGlobalID("Transaction", payment.id)).map((body) => body.data.capturedAmount);
      expect(captures).toEqual(Array.from({ length: perPayment }, (_, i) => i + 1));
    }
    expect(hook.acknowledged().every((entry) => verifies(secret!, entry))).toBe(true);
    // At least once, and no more than the kill explains: only what was in flight then may have come twice.
    expect(hook.acknowledged().length - total).toBeLessThanOrEqual(4);
  });
});

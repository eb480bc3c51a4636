/**
 * Webhook delivery end to end: a real gateway (its worker started as in production) POSTs to real HTTP receivers on
 * 127.0.0.1 (allowed by WEBHOOK_ALLOW_PRIVATE_NETWORK), with a fast retry policy so a recovering receiver is tested
 * in seconds rather than minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, createReservedPayment, waitFor } from "../events/support";
import { FAST_WEBHOOKS, startReceiver, verifies, type Receiver } from "./support";

let gateway: TestGateway;
let admin: string;
let merchantId: string;
let msn: string;
const receivers: Receiver[] = [];

const CREATE = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename
    ... on MutationCreateWebhookEndpointSuccess { data { secret endpoint { id url status eventTypes } } }
    ... on Error { code message }
  }
}`;

interface Created {
  createWebhookEndpoint: { __typename: string; code?: string; message?: string; data?: { secret: string; endpoint: { id: string; url: string } } };
}

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

async function createEndpoint(token: string, input: Record<string, unknown>) {
  const response = await gateway.graphql<Created>(token, CREATE, { input: { eventTypes: ["transaction.CAPTURED"], ...input } });
  expect(response.errors).toBeUndefined();
  const result = response.data!.createWebhookEndpoint;
  expect(result.__typename, result.message).toBe("MutationCreateWebhookEndpointSuccess");
  return result.data!;
}

const bodyOf = (entry: { body: string }) => JSON.parse(entry.body) as { id: string; type: string; object: { id: string }; data: { capturedAmount: number } };

beforeAll(async () => {
  gateway = await startTestGateway(FAST_WEBHOOKS);
  admin = await gateway.token("no-admin");
  const persona = gateway.persona("no-admin");
  const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { msn: { in: persona.salesUnits }, environment: "PRODUCTION", status: "ACTIVE" } });
  msn = unit.msn;
  merchantId = unit.merchantId;
});

afterAll(async () => {
  await gateway?.stop();
  for (const started of receivers) await started.close();
});

describe("webhook delivery", () => {
  it("signs each delivery so an independent implementation of the scheme verifies it, and logs the attempt", async () => {
    const hook = await receiver();
    const { secret, endpoint } = await createEndpoint(admin, { merchantId: encodeGlobalID("Merchant", merchantId), url: `${hook.url}/hooks/portal?tenant=1` });
    const payment = await createReservedPayment(gateway.services.db, msn);
    await captureOneOre(gateway.services.db, payment.id);

    const [delivered] = await waitFor("the delivery", () => (hook.received.length >= 1 ? hook.received : null));
    expect(delivered!.path).toBe("/hooks/portal?tenant=1");
    expect(verifies(secret, delivered!)).toBe(true);
    expect(verifies(`${secret}x`, delivered!)).toBe(false);
    const body = bodyOf(delivered!);
    expect(body).toMatchObject({ type: "transaction.CAPTURED", object: { id: encodeGlobalID("Transaction", payment.id) }, data: { capturedAmount: 1 } });
    expect(delivered!.headers["idempotency-key"]).toBe(body.id);
    expect(delivered!.headers["x-webhook-event-id"]).toBe(body.id);
    const deliveryId = String(delivered!.headers["x-webhook-delivery-id"]);

    const logged = await waitFor("the delivery to be recorded", async () => {
      const response = await gateway.graphql<{ node: { status: string; eventId: string; attempts: { statusCode: number; responseExcerpt: string; durationMs: number }[] } }>(
        admin,
        `query($id: ID!) { node(id: $id) { ... on WebhookDelivery { status eventId attempts { statusCode responseExcerpt durationMs } } } }`,
        { id: encodeGlobalID("WebhookDelivery", deliveryId) },
      );
      return response.data?.node?.status === "SUCCEEDED" ? response.data.node : null;
    });
    expect(logged.eventId).toBe(body.id);
    expect(logged.attempts).toEqual([{ statusCode: 200, responseExcerpt: "thanks", durationMs: expect.any(Number) }]);

    const listed = await gateway.graphql<{ webhookEndpoints: { totalCount: number; nodes: { id: string; deliveries: { totalCount: number } }[] } }>(
      admin,
      `{ webhookEndpoints(first: 50) { totalCount nodes { id deliveries(first: 10) { totalCount } } } }`,
    );
    expect(listed.data!.webhookEndpoints.nodes.find((node) => node.id === endpoint.id)?.deliveries.totalCount).toBe(1);

    // A rotation: the new secret signs, and the previous one signs alongside during the overlap.
    const rotated = await gateway.graphql<{ rotateWebhookEndpointSecret: { data: { secret: string } } }>(
      admin,
      `mutation($input: RotateWebhookEndpointSecretInput!) { rotateWebhookEndpointSecret(input: $input) { ... on MutationRotateWebhookEndpointSecretSuccess { data { secret } } } }`,
      { input: { webhookEndpointId: endpoint.id } },
    );
    const newSecret = rotated.data!.rotateWebhookEndpointSecret.data.secret;
    expect(newSecret).not.toBe(secret);

    // Redelivery of the same event: a new delivery id, the same event id and idempotency key.
    const again = await gateway.graphql<{ redeliverWebhookEvent: { __typename: string; data?: { id: string } } }>(
      admin,
      `mutation($input: RedeliverWebhookEventInput!) { redeliverWebhookEvent(input: $input) { __typename ... on MutationRedeliverWebhookEventSuccess { data { id } } } }`,
      { input: { webhookEndpointId: endpoint.id, eventId: body.id } },
    );
    expect(again.data!.redeliverWebhookEvent.__typename).toBe("MutationRedeliverWebhookEventSuccess");
    const redelivered = await waitFor("the redelivery", () => hook.received[1]);
    expect(redelivered.headers["idempotency-key"]).toBe(body.id);
    expect(redelivered.headers["x-webhook-delivery-id"]).not.toBe(deliveryId);
    expect(decodeGlobalID(again.data!.redeliverWebhookEvent.data!.id).id).toBe(redelivered.headers["x-webhook-delivery-id"]);
    expect(verifies(newSecret, redelivered)).toBe(true);
    expect(verifies(secret, redelivered, "x-ms-previous-authorization")).toBe(true);

    // Redelivery of a period: the event's own millisecond holds just this event.
    const occurredAt = new Date((JSON.parse(delivered!.body) as { occurredAt: string }).occurredAt);
    const period = await gateway.graphql<{ redeliverWebhookEvents: { __typename: string; data?: number } }>(
      admin,
      `mutation($input: RedeliverWebhookEventsInput!) { redeliverWebhookEvents(input: $input) { __typename ... on MutationRedeliverWebhookEventsSuccess { data } } }`,
      { input: { webhookEndpointId: endpoint.id, from: occurredAt.toISOString(), to: new Date(occurredAt.getTime() + 1).toISOString() } },
    );
    expect(period.data!.redeliverWebhookEvents).toEqual({ __typename: "MutationRedeliverWebhookEventsSuccess", data: 1 });
    const third = await waitFor("the period's redelivery", () => hook.received[2]);
    expect(third.headers["idempotency-key"]).toBe(body.id);
  });

  it("a receiver that fails 5 times then recovers gets every event exactly once per delivery id, in order per payment", async () => {
    const hook = await receiver((_request, index) => (index < 5 ? 503 : 200));
    const { endpoint } = await createEndpoint(admin, { merchantId: encodeGlobalID("Merchant", merchantId), url: `${hook.url}/flaky` });
    const payments = await Promise.all([1, 2, 3].map(() => createReservedPayment(gateway.services.db, msn)));
    for (let round = 0; round < 4; round++) {
      for (const payment of payments) await captureOneOre(gateway.services.db, payment.id);
    }
    const ours = (entries: typeof hook.received) => entries.filter((entry) => payments.some((payment) => bodyOf(entry).object.id === encodeGlobalID("Transaction", payment.id)));
    await waitFor("12 acknowledged deliveries", () => ours(hook.acknowledged()).length >= 12, 20_000);

    const acknowledged = ours(hook.acknowledged());
    const perDelivery = new Map<string, number>();
    for (const entry of acknowledged) perDelivery.set(String(entry.headers["x-webhook-delivery-id"]), (perDelivery.get(String(entry.headers["x-webhook-delivery-id"])) ?? 0) + 1);
    expect([...perDelivery.values()]).toEqual(Array(12).fill(1));
    expect(new Set(acknowledged.map((entry) => bodyOf(entry).id)).size).toBe(12);
    for (const payment of payments) {
      const captures = acknowledged.filter((entry) => bodyOf(entry).object.id === encodeGlobalID("Transaction", payment.id)).map((entry) => bodyOf(entry).data.capturedAmount);
      expect(captures).toEqual([1, 2, 3, 4]);
    }
    expect(hook.received.filter((entry) => entry.status === 503)).toHaveLength(5);
    const attempts = await gateway.services.db.webhookAttempt.count({ where: { delivery: { endpointId: decodeGlobalID(endpoint.id).id }, statusCode: 503 } });
    expect(attempts).toBe(5);
  });

  it("a receiver that hangs does not hold up another endpoint's deliveries", async () => {
    const hanging = await receiver(() => "hang");
    const healthy = await receiver();
    const merchant = encodeGlobalID("Merchant", merchantId);
    await createEndpoint(admin, { merchantId: merchant, url: `${hanging.url}/slow` });
    await createEndpoint(admin, { merchantId: merchant, url: `${healthy.url}/fast` });
    const payments = await Promise.all(Array.from({ length: 10 }, () => createReservedPayment(gateway.services.db, msn)));
    const started = performance.now();
    for (const payment of payments) await captureOneOre(gateway.services.db, payment.id);

    await waitFor("the healthy receiver to get all 10", () => healthy.acknowledged().length >= 10, 20_000);
    const healthyMs = performance.now() - started;
    // Meanwhile the hanging endpoint was sent its deliveries, and holds at most its concurrency bound of them open.
    await waitFor("the hanging receiver to hold a request", () => hanging.received.length >= 1);
    expect(hanging.received.length).toBeLessThanOrEqual(4);
    console.info(`webhooks: 10 deliveries to a healthy receiver took ${Math.round(healthyMs)} ms while another endpoint hung on ${hanging.received.length} requests`);
  });

  it("a partner's endpoint stops receiving a sales unit's events once the link is removed", async () => {
    const db = gateway.services.db;
    const partnerPersona = gateway.persona("partner");
    const unit = await db.salesUnit.findFirstOrThrow({ where: { msn: { in: partnerPersona.salesUnits }, partnerId: { not: null } } });
    const partnerToken = await gateway.token("partner");
    // The first event is acknowledged; after that the receiver keeps failing, so the second is still pending when the link goes.
    const hook = await receiver((_request, index) => (index === 0 ? 200 : 503));
    const { endpoint } = await createEndpoint(partnerToken, {
      partnerId: encodeGlobalID("Partner", unit.partnerId!),
      url: `${hook.url}/partner`,
      salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)],
    });
    const endpointId = decodeGlobalID(endpoint.id).id;
    // An Administrator of the merchant does not manage the partner's endpoint.
    const foreign = await gateway.graphql(admin, `query($id: ID!) { node(id: $id) { id } }`, { id: endpoint.id });
    expect(foreign.data).toEqual({ node: null });
    const coveredUnits = async () =>
      (await gateway.graphql<{ node: { salesUnits: { id: string }[] } }>(partnerToken, `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { salesUnits { id } } } }`, { id: endpoint.id }))
        .data?.node.salesUnits;
    expect(await coveredUnits()).toEqual([{ id: encodeGlobalID("SalesUnit", unit.id) }]);

    const payment = await createReservedPayment(db, unit.msn);
    await captureOneOre(db, payment.id);
    await waitFor("the linked unit's event", () => hook.acknowledged().length >= 1);
    await captureOneOre(db, payment.id);
    await waitFor("a failed attempt of the second event", () => hook.received.length >= 2);

    await db.salesUnit.update({ where: { id: unit.id }, data: { partnerId: null } });
    try {
      // Pending when the link went: checked again before the next attempt, and not sent.
      const skipped = await waitFor("the pending delivery to be skipped", () => db.webhookDelivery.findFirst({ where: { endpointId, status: "SKIPPED" } }));
      expect(skipped.lastError).toMatch(/may not see this event/);
      // The endpoint still names the unit, but no longer shows it to the partner.
      expect(await coveredUnits()).toEqual([]);
      // Written after the link went: never queued for the endpoint.
      await captureOneOre(db, payment.id);
      await waitFor("the relay and the fan-out to pass the third event", async () => {
        const events = await db.outboxEvent.findMany({ where: { aggregateId: payment.id, deliverySeq: { not: null } }, select: { deliverySeq: true } });
        const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
        return events.length === 3 && events.every((event) => row.cursor >= event.deliverySeq!);
      });
      expect(await db.webhookDelivery.count({ where: { endpointId } })).toBe(2);
      expect(hook.acknowledged()).toHaveLength(1);
    } finally {
      await db.salesUnit.update({ where: { id: unit.id }, data: { partnerId: unit.partnerId } });
    }
  });
});

describe("webhook endpoint rules", () => {
  it("lets only a partner token that reaches all the partner reaches manage its endpoints, not one narrowed by scope or sales unit", async () => {
    const db = gateway.services.db;
    const partner = gateway.persona("partner");
    const units = await db.salesUnit.findMany({ where: { msn: { in: partner.salesUnits }, partnerId: { not: null } }, orderBy: { msn: "asc" } });
    expect(units.length).toBeGreaterThanOrEqual(2);
    const partnerId = encodeGlobalID("Partner", units[0]!.partnerId!);
    const tokenFor = async (headers: Record<string, string>) => {
      const response = await fetch(`${gateway.url}/accesstoken/get`, {
        method: "POST",
        headers: { client_id: partner.clientId!, client_secret: partner.clientSecret!, "Ocp-Apim-Subscription-Key": partner.subscriptionKey!, ...headers },
      });
      expect(response.status).toBe(200);
      return { token: ((await response.json()) as { access_token: string }).access_token, headers };
    };
    const full = await tokenFor({});
    const narrowed = [await tokenFor({ scope: "SALES_UNITS_READ" }), await tokenFor({ "Merchant-Serial-Number": units[0]!.msn })];
    const hook = await receiver();
    const { endpoint } = await createEndpoint(full.token, { partnerId, url: `${hook.url}/full`, salesUnitIds: [encodeGlobalID("SalesUnit", units[1]!.id)] });
    const asked = (token: { token: string; headers: Record<string, string> }, query: string, variables: Record<string, unknown>) =>
      fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token.token}`, ...token.headers },
        body: JSON.stringify({ query, variables }),
      }).then(async (response) => (await response.json()) as { data?: Record<string, { __typename?: string; code?: string } | null>; errors?: { extensions?: { code?: string } }[] });
    for (const token of narrowed) {
      const created = await asked(token, CREATE, { input: { partnerId, url: `${hook.url}/narrowed`, eventTypes: ["transaction.CAPTURED"], salesUnitIds: [encodeGlobalID("SalesUnit", units[1]!.id)] } });
      expect(created.data?.createWebhookEndpoint ?? created.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
      const deleted = await asked(token, `mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { __typename ... on Error { code } } }`, {
        input: { webhookEndpointId: endpoint.id },
      });
      expect(deleted.data?.deleteWebhookEndpoint ?? deleted.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await db.webhookEndpoint.count({ where: { url: { endsWith: "/narrowed" } } })).toBe(0);
    expect(await db.webhookEndpoint.count({ where: { id: decodeGlobalID(endpoint.id).id } })).toBe(1);

    // Another key with scopes no event needs (payments, payer details) takes nothing from the first key's tokens.
    const other = await db.partnerKey.create({
      data: { partnerId: units[0]!.partnerId!, clientId: crypto.randomUUID(), clientSecretHash: "x", subscriptionKey: `sub-${crypto.randomUUID()}`, scopes: ["PAYMENTS_WRITE", "PERSONAL_DATA_READ"] },
    });
    try {
      await createEndpoint(full.token, { partnerId, url: `${hook.url}/full-again`, salesUnitIds: [encodeGlobalID("SalesUnit", units[1]!.id)] });
    } finally {
      await db.partnerKey.update({ where: { id: other.id }, data: { revokedAt: new Date() } });
    }
  });

  it("refuses plain http to a public host for production sales units, and unknown event types, with typed errors", async () => {
    const merchant = encodeGlobalID("Merchant", merchantId);
    const http = await gateway.graphql<Created>(admin, CREATE, { input: { merchantId: merchant, url: "http://shop.example/hooks", eventTypes: ["transaction.CAPTURED"] } });
    expect(http.data!.createWebhookEndpoint).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
    const unknown = await gateway.graphql<Created>(admin, CREATE, { input: { merchantId: merchant, url: "https://shop.example/hooks", eventTypes: ["payment.DONE"] } });
    expect(unknown.data!.createWebhookEndpoint).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
  });

  it("writes an audit row for every change", async () => {
    const { endpoint } = await createEndpoint(admin, { merchantId: encodeGlobalID("Merchant", merchantId), url: "https://shop.example/audited" });
    const id = decodeGlobalID(endpoint.id).id;
    await gateway.graphql(admin, `mutation($input: DisableWebhookEndpointInput!) { disableWebhookEndpoint(input: $input) { __typename } }`, { input: { webhookEndpointId: endpoint.id } });
    await gateway.graphql(admin, `mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { __typename } }`, { input: { webhookEndpointId: endpoint.id } });
    const actions = await gateway.services.db.auditEvent.findMany({ where: { objectType: "WebhookEndpoint", objectId: id }, orderBy: { id: "asc" } });
    expect(actions.map((row) => row.action)).toEqual(["webhookEndpoint.create", "webhookEndpoint.disable", "webhookEndpoint.delete"]);
    expect(JSON.stringify(actions.map((row) => row.data))).not.toMatch(/whsec_/);
  });
});

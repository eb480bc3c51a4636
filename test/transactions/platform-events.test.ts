/** POST /platform/events: the payment platform's signed customer events for production sales units. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { footprint, requestPayment, sendPlatformEvent, startMoneyGateway, unitByName } from "./support";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
let admin: string;
let web: { globalId: string; msn: string };

beforeAll(async () => {
  gateway = await startMoneyGateway();
  admin = await gateway.login("no-admin");
  web = await unitByName(gateway, "Fjordkaffe Nettbutikk");
});
afterAll(async () => gateway?.stop());

const newRequest = () => requestPayment(gateway, admin, web.globalId, 2_000);

describe("platform events", () => {
  it("applies a correctly signed approval and stores the payer's details", async () => {
    const request = await newRequest();
    const answer = await sendPlatformEvent(gateway, {
      eventId: randomUUID(),
      transactionId: uuidOf(request.id),
      action: "APPROVE",
      payer: { name: "Kari Nordmann", phoneNumber: "+4791234567", email: "kari@example.no" },
    });
    expect(answer).toEqual({ status: 200, body: { eventId: expect.any(String), transactionId: uuidOf(request.id), status: "RESERVED" } });

    const detail = await gateway.graphql<{ node: { status: string; payer: unknown; operations: { type: string; actorKind: string; actorLabel: string }[] } }>(
      admin,
      `query($id: ID!) { node(id: $id) { ... on Transaction { status payer { name phoneNumber email } operations { type actorKind actorLabel } } } }`,
      { id: request.id },
    );
    expect(detail.data?.node).toMatchObject({
      status: "RESERVED",
      payer: { name: "Kari Nordmann", phoneNumber: "+4791234567", email: "kari@example.no" },
      operations: [{ type: "REQUEST" }, { type: "APPROVE", actorKind: "PLATFORM", actorLabel: "Payment platform" }],
    });
  });

  it("finds the payment by MSN and reference", async () => {
    const request = await newRequest();
    const answer = await sendPlatformEvent(gateway, { eventId: randomUUID(), msn: web.msn, reference: request.reference, action: "DECLINE" });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("REJECTED");
  });

  it("refuses a wrong signature with 401 and changes nothing", async () => {
    const request = await newRequest();
    const before = await footprint(gateway, request.id);
    const answer = await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: uuidOf(request.id), action: "APPROVE" }, { secret: "not-the-secret" });
    expect(answer).toMatchObject({ status: 401, body: { error: "UNAUTHENTICATED" } });
    expect(await footprint(gateway, request.id)).toEqual(before);
  });

  it("refuses a body changed after signing with 401", async () => {
    const request = await newRequest();
    const answer = await sendPlatformEvent(
      gateway,
      { eventId: randomUUID(), transactionId: uuidOf(request.id), action: "DECLINE" },
      { tamper: (body) => body.replace("DECLINE", "APPROVE") },
    );
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/x-ms-content-sha256/);
  });

  it("refuses an unsigned request with 401", async () => {
    const response = await fetch(`${gateway.url}/platform/events`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(401);
  });

  it("refuses a request signed more than 5 minutes ago with 401", async () => {
    const request = await newRequest();
    const answer = await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: uuidOf(request.id), action: "APPROVE" }, { date: new Date(Date.now() - 6 * 60_000) });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/5 minutes/);
  });

  it("applies an event id once and refuses its replay with 409", async () => {
    const request = await newRequest();
    const event = { eventId: randomUUID(), transactionId: uuidOf(request.id), action: "APPROVE" };
    expect((await sendPlatformEvent(gateway, event)).status).toBe(200);
    const before = await footprint(gateway, request.id);
    const replay = await sendPlatformEvent(gateway, event);
    expect(replay).toMatchObject({ status: 409, body: { error: "REPLAYED" } });
    expect(await footprint(gateway, request.id)).toEqual(before);
  });

  it("answers 404 for an unknown transaction", async () => {
    expect((await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: randomUUID(), action: "APPROVE" })).status).toBe(404);
    expect((await sendPlatformEvent(gateway, { eventId: randomUUID(), msn: web.msn, reference: "no-such-order-1", action: "APPROVE" })).status).toBe(404);
  });

  it("answers 409 for an answer the payment's state refuses, and for a test sales unit", async () => {
    const request = await newRequest();
    await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: uuidOf(request.id), action: "DECLINE" });
    const late = await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: uuidOf(request.id), action: "APPROVE" });
    expect(late).toMatchObject({ status: 409, body: { error: "INVALID_STATE" } });

    const onTest = await requestPayment(gateway, admin, (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).globalId, 1_000);
    const refused = await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: uuidOf(onTest.id), action: "APPROVE" });
    expect(refused).toMatchObject({ status: 409, body: { error: "INVALID_STATE" } });
  });

  it("answers 400 for a malformed event", async () => {
    const answer = await sendPlatformEvent(gateway, { eventId: randomUUID(), action: "APPROVE" });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/transactionId/);
  });
});

/**
 * The `events` subscription: every event type, filtered by type, with the resume, ordering and per-batch access rules
 * of `transactionEvents`. Changes are made through the real API; subscribers are real graphql-ws clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate } from "../support/mutate";
import { connect, waitFor, type Connection } from "./support";

interface EventData {
  id: string;
  type: string;
  objectType: string;
  objectId: string | null;
  merchantId: string | null;
  salesUnitId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

const SUBSCRIPTION = `subscription($types: [String!], $after: ID) {
  events(types: $types, after: $after) { id type objectType objectId merchantId salesUnitId occurredAt data }
}`;

interface Collector {
  events: EventData[];
  errors: { message: string; extensions?: { code?: string } }[];
  stop(): void;
}

let gateway: TestGateway;
const connections: Connection[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  for (const connection of connections) await connection.dispose();
  await gateway?.stop();
});

async function follow(persona: string, variables: { types?: string[]; after?: string | null }): Promise<Collector> {
  const connection = connect(gateway.url, await gateway.login(persona));
  connections.push(connection);
  const collector: Collector = { events: [], errors: [], stop: () => undefined };
  collector.stop = connection.client.subscribe<{ events: EventData }>(
    { query: SUBSCRIPTION, variables },
    {
      next: (result) => {
        if (result.errors) collector.errors.push(...(result.errors as Collector["errors"]));
        if (result.data) collector.events.push(result.data.events);
      },
      error: (error) => collector.errors.push(...((Array.isArray(error) ? error : [error]) as Collector["errors"])),
      complete: () => undefined,
    },
  );
  return collector;
}

/** Where the feed stands (`eventsCursor`, as a client reads it): subscribing after it cannot miss what follows. */
async function latestCursor(): Promise<string> {
  const { _max } = await gateway.services.db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
  const answer = await gateway.graphql<{ eventsCursor: string }>(await gateway.token("no-admin"), "{ eventsCursor }");
  const cursor = answer.data!.eventsCursor;
  // No older than the newest event numbered before the request.
  expect(cursor >= `ev_${(_max.deliverySeq ?? 0n).toString(16).padStart(16, "0")}`).toBe(true);
  return cursor;
}

/** An active production sales unit the persona reaches. */
async function unitOf(persona: string) {
  return gateway.services.db.salesUnit.findFirstOrThrow({
    where: { msn: { in: gateway.persona(persona).salesUnits }, environment: "PRODUCTION", status: "ACTIVE" },
    orderBy: { msn: "asc" },
  });
}

async function createQrCode(persona: string, salesUnitId: string, name: string): Promise<string> {
  const { result } = await mutate<{ id: string }>(gateway, await gateway.token(persona), "createQrCode", {
    salesUnitId: encodeGlobalID("SalesUnit", salesUnitId),
    name,
    url: "https://shop.example/qr",
  });
  if (!result?.data) throw new Error(`createQrCode failed: ${JSON.stringify(result)}`);
  return result.data.id;
}

describe("events", () => {
  it("delivers the changes of every entity type asked for, in order, with their documented data, and resumes after an event", async () => {
    const unit = await unitOf("no-admin");
    const after = await latestCursor();
    const subscriber = await follow("no-admin", { types: ["qrCode.CREATED", "qrCode.UPDATED", "salesUnit.UPDATED"], after });

    const qrCodeId = await createQrCode("no-admin", unit.id, "Counter");
    const token = await gateway.token("no-admin");
    expect((await mutate(gateway, token, "updateQrCode", { qrCodeId, url: "https://shop.example/menu" })).result?.__typename).toBe("MutationUpdateQrCodeSuccess");
    expect((await mutate(gateway, token, "updateSalesUnit", { salesUnitId: encodeGlobalID("SalesUnit", unit.id), name: "Fjordkaffe Torget" })).result?.__typename).toBe(
      "MutationUpdateSalesUnitSuccess",
    );

    await waitFor("three events", () => subscriber.events.length >= 3 || subscriber.errors.length > 0);
    expect(subscriber.errors).toEqual([]);
    const [created, updated, renamed] = subscriber.events;
    expect(subscriber.events.map((event) => event.type)).toEqual(["qrCode.CREATED", "qrCode.UPDATED", "salesUnit.UPDATED"]);
    expect(created).toMatchObject({
      objectType: "QrCode",
      objectId: qrCodeId,
      merchantId: encodeGlobalID("Merchant", unit.merchantId),
      salesUnitId: encodeGlobalID("SalesUnit", unit.id),
      data: { id: qrCodeId, name: "Counter", url: "https://shop.example/qr", salesUnitId: encodeGlobalID("SalesUnit", unit.id) },
    });
    expect(updated!.data).toMatchObject({ id: qrCodeId, url: "https://shop.example/menu" });
    expect(renamed).toMatchObject({ objectType: "SalesUnit", objectId: encodeGlobalID("SalesUnit", unit.id), data: { fields: ["name"], name: "Fjordkaffe Torget" } });

    const resumed = await follow("no-admin", { types: ["qrCode.CREATED", "qrCode.UPDATED", "salesUnit.UPDATED"], after: created!.id });
    await waitFor("the replay", () => resumed.events.length >= 2 || resumed.errors.length > 0);
    expect(resumed.events.map((event) => event.id)).toEqual([updated!.id, renamed!.id]);
  });

  it("gives no one another merchant's events: each Administrator sees only their own merchant's changes", async () => {
    const [noUnit, dkUnit] = [await unitOf("no-admin"), await unitOf("dk-admin")];
    const after = await latestCursor();
    const norwegian = await follow("no-admin", { types: ["qrCode.CREATED"], after });
    const danish = await follow("dk-admin", { after });

    const noCode = await createQrCode("no-admin", noUnit.id, "Norsk disk");
    const dkCode = await createQrCode("dk-admin", dkUnit.id, "Dansk disk");
    // Delivery order is commit order: once the Danish code's event has arrived, the Norwegian one would have too.
    await waitFor("the Danish event", () => danish.events.some((event) => event.objectId === dkCode) || danish.errors.length > 0);
    await waitFor("the Norwegian event", () => norwegian.events.some((event) => event.objectId === noCode) || norwegian.errors.length > 0);
    expect(danish.errors).toEqual([]);
    expect(danish.events.filter((event) => event.merchantId !== encodeGlobalID("Merchant", dkUnit.merchantId))).toEqual([]);
    expect(norwegian.events.map((event) => event.objectId)).toEqual([noCode]);
  });

  it("refuses a subscriber who may receive none of the types asked for, and types that do not exist", async () => {
    // An Assistant may not edit sales units, so no QR code event may reach them.
    const assistant = await follow("no-assistant", { types: ["qrCode.CREATED"] });
    await waitFor("the refusal", () => assistant.errors.length > 0);
    expect(assistant.errors[0]?.extensions?.code).toBe("FORBIDDEN");

    const unknown = await follow("no-admin", { types: ["qrCode.PAINTED"] });
    await waitFor("the refusal", () => unknown.errors.length > 0);
    expect(unknown.errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("leaves out, per event, what the subscriber's permissions do not cover: an Assistant gets payment events but not QR code events of the same merchant", async () => {
    const assistantUnit = await unitOf("no-assistant");
    const after = await latestCursor();
    const assistant = await follow("no-assistant", { types: ["qrCode.CREATED", "transaction.REQUESTED"], after });

    const qrCodeId = await createQrCode("no-admin", assistantUnit.id, "Assistant cannot see");
    const { result } = await mutate<{ id: string }>(gateway, await gateway.token("no-admin"), "requestPayment", {
      salesUnitId: encodeGlobalID("SalesUnit", assistantUnit.id),
      amount: 2500,
      phoneNumber: "+4791234567",
      reference: `events-${Math.random().toString(36).slice(2, 12)}`,
      description: "Kaffe",
      idempotencyKey: `events-${Math.random().toString(36).slice(2, 12)}`,
    });
    expect(result?.__typename).toBe("MutationRequestPaymentSuccess");
    // The payment was written after the QR code: once it has arrived, the QR code's event would have too.
    await waitFor("the payment event", () => assistant.events.some((event) => event.type === "transaction.REQUESTED") || assistant.errors.length > 0);
    expect(assistant.errors).toEqual([]);
    expect(assistant.events.filter((event) => event.objectId === qrCodeId)).toEqual([]);
    expect(assistant.events.map((event) => event.objectId)).toEqual([result!.data!.id]);
  });

  it("lists the events the caller may receive, newest first, in pages whose cursors also resume the subscription", async () => {
    const [noUnit, dkUnit] = [await unitOf("no-admin"), await unitOf("dk-admin")];
    const older = await createQrCode("no-admin", noUnit.id, "Listed first");
    const newer = await createQrCode("no-admin", noUnit.id, "Listed second");
    const danish = await createQrCode("dk-admin", dkUnit.id, "Not for Norwegians");
    const list = async (persona: string, variables: { types: string[]; first: number; after?: string }) => {
      const response = await gateway.graphql<{ events: { edges: { cursor: string; node: EventData }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        await gateway.token(persona),
        "query($types: [String!], $first: Int, $after: String) { events(types: $types, first: $first, after: $after) { edges { cursor node { id type objectId merchantId } } pageInfo { hasNextPage endCursor } } }",
        variables,
      );
      expect(response.errors).toBeUndefined();
      return response.data!.events;
    };
    // The relay numbers committed events shortly after the commit; only numbered events are listed.
    await waitFor("the Danish event to be numbered", async () => (await list("dk-admin", { types: ["qrCode.CREATED"], first: 1 })).edges[0]?.node.objectId === danish);

    const first = await list("no-admin", { types: ["qrCode.CREATED"], first: 1 });
    expect(first.edges.map((edge) => edge.node.objectId)).toEqual([newer]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list("no-admin", { types: ["qrCode.CREATED"], first: 1, after: first.pageInfo.endCursor! });
    expect(second.edges.map((edge) => edge.node.objectId)).toEqual([older]);
    const all = await list("no-admin", { types: ["qrCode.CREATED"], first: 100 });
    expect(all.edges.every((edge) => edge.node.merchantId === encodeGlobalID("Merchant", noUnit.merchantId))).toBe(true);
    expect(all.edges.map((edge) => edge.node.id)).toEqual(all.edges.map((edge) => edge.node.id).sort().reverse());

    // An Assistant may see no QR code: the list is empty, not an error.
    expect((await list("no-assistant", { types: ["qrCode.CREATED"], first: 100 })).edges).toEqual([]);

    // The newest listed id resumes the live feed: nothing listed comes again.
    const resumed = await follow("no-admin", { types: ["qrCode.CREATED"], after: first.edges[0]!.node.id });
    const next = await createQrCode("no-admin", noUnit.id, "After the list");
    await waitFor("the next event", () => resumed.events.length > 0 || resumed.errors.length > 0);
    expect(resumed.events.map((event) => event.objectId)).toEqual([next]);
  });

  it("announces a report run's creation and, from the work that makes it, its end", async () => {
    const unit = await unitOf("no-admin");
    const subscriber = await follow("no-admin", { types: ["reportRun.CREATED", "reportRun.READY", "reportRun.FAILED"], after: await latestCursor() });
    const { result } = await mutate<{ id: string }>(gateway, await gateway.token("no-admin"), "createReportRun", {
      merchantId: encodeGlobalID("Merchant", unit.merchantId),
      salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)],
      from: "2026-01-01",
      to: "2026-01-31",
      format: "CSV",
    });
    expect(result?.__typename).toBe("MutationCreateReportRunSuccess");
    await waitFor("the run's end", () => subscriber.events.length >= 2 || subscriber.errors.length > 0);
    expect(subscriber.events.map((event) => [event.type, event.objectId])).toEqual([
      ["reportRun.CREATED", result!.data!.id],
      ["reportRun.READY", result!.data!.id],
    ]);
    expect(subscriber.events[1]!.data).toMatchObject({ kind: "SETTLEMENTS", status: "READY" });
  });
});


/**
 * Every object with an identity is a `Node`: the schema walk fails on an object type with `id: ID!` that does not
 * implement Node, and `node(id:)` answers one seeded object of every node type to someone who may see it and null to
 * a caller outside its reach. Audit events point at their object by global id, and at the object itself.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { isNonNullType, isObjectType, isScalarType, type GraphQLObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/schema";
import { startTestGateway, type TestGateway } from "../support/gateway";

/** Object types with an `id` that are not nodes, and why. */
const NOT_NODES: Record<string, string> = {
  TransactionEvent: "an event of the live feed: its id is the resume cursor of the stream, not an object to fetch again",
  Event: "an event of the events feed and list: its id is the resume cursor, not an object to fetch again",
};

const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith("__"));
const implementsNode = (type: GraphQLObjectType) => type.getInterfaces().some((face) => face.name === "Node");
const nodeTypes = objectTypes.filter(implementsNode).map((type) => type.name);

describe("Node", () => {
  it("is implemented by every object type with an `id: ID!`", () => {
    const withId = objectTypes.filter((type) => {
      const id = type.getFields().id;
      return id !== undefined && isNonNullType(id.type) && isScalarType(id.type.ofType) && id.type.ofType.name === "ID";
    });
    expect(withId.filter((type) => !implementsNode(type) && !(type.name in NOT_NODES)).map((type) => type.name)).toEqual([]);
    expect(Object.keys(NOT_NODES).filter((name) => !withId.some((type) => type.name === name && !implementsNode(type)))).toEqual([]);
  });

  describe("node(id:) over the seeded data", () => {
    let gateway: TestGateway;
    /** Who asks, in order, until one may see the object. */
    const READERS = ["operator", "no-admin", "dk-admin", "fi-admin", "partner"];
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      gateway = await startTestGateway();
      for (const key of [...READERS, "partner-unlinked", "applicant"]) tokens[key] = await gateway.login(key);
    });
    afterAll(async () => gateway?.stop());

    /** One stored row of each node type there is one of (the seed makes no report run; read-table.test.ts reads one). */
    async function sampleIds(): Promise<Record<string, string>> {
      const db = gateway.services.db as unknown as Record<string, { findFirst: (args: object) => Promise<{ id: string | bigint } | null> }>;
      const ids: Record<string, string> = {};
      for (const typename of nodeTypes) {
        const delegate = db[typename[0]!.toLowerCase() + typename.slice(1)];
        const row = await delegate?.findFirst({ orderBy: { id: "asc" } });
        if (row) ids[typename] = encodeGlobalID(typename, String(row.id));
      }
      return ids;
    }

    it("resolves an object of every node type for someone who may see it, and null outside its reach", async () => {
      // The seed registers no webhook endpoint: register one (nothing is sent to it before an event of its type).
      const merchant = await gateway.services.db.merchant.findFirstOrThrow({ where: { country: "NO" } });
      const created = await gateway.graphql<{ createWebhookEndpoint: { __typename: string } }>(
        tokens["no-admin"]!,
        `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename } }`,
        { input: { merchantId: encodeGlobalID("Merchant", merchant.id), url: "https://hooks.example.com/portal", eventTypes: ["salesUnit.UPDATED"] } },
      );
      expect(created.data?.createWebhookEndpoint.__typename).toBe("MutationCreateWebhookEndpointSuccess");
      const ids = await sampleIds();
      // A webhook delivery exists only once an event was sent to an endpoint (test/webhooks reads them).
      const missing = nodeTypes.filter((typename) => !(typename in ids) && typename !== "ReportRun" && typename !== "WebhookDelivery");
      expect(missing).toEqual([]);
      const unseen: string[] = [];
      for (const [typename, id] of Object.entries(ids)) {
        let seenBy: string | null = null;
        for (const reader of READERS) {
          const response = await gateway.graphql<{ node: { __typename: string; id: string } | null }>(tokens[reader]!, "query($id: ID!) { node(id: $id) { __typename id } }", { id });
          if (response.data?.node) {
            expect(response.data.node).toEqual({ __typename: typename, id });
            seenBy = reader;
            break;
          }
        }
        if (!seenBy) unseen.push(typename);
        // Partners are listed for every portal user to pick when ordering; a partner without sales units reaches
        // nothing but itself, and an applicant no partner key.
        if (typename === "Partner") continue;
        const outsider = typename === "PartnerKey" ? "applicant" : "partner-unlinked";
        const answer = await gateway.graphql<{ node: unknown }>(tokens[outsider]!, "query($id: ID!) { node(id: $id) { __typename id } }", { id });
        expect(answer.data?.node ?? null, `${typename} for ${outsider}`).toBeNull();
      }
      expect(unseen).toEqual([]);
    });

    it("lets an audit event point at its object by global id, and at the object where the caller may see it", async () => {
      const db = gateway.services.db;
      const unit = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Nettbutikk" } });
      const event = await db.auditEvent.create({
        data: { merchantId: unit.merchantId, actorKind: "OPERATOR", action: "salesUnit.update", objectType: "SalesUnit", objectId: unit.id },
      });
      const admin = { key: "no-admin" };
      const query = `query($id: ID!) { node(id: $id) { ... on AuditEvent { objectType objectId object { __typename id ... on SalesUnit { name } } } } }`;
      const response = await gateway.graphql<{ node: { objectType: string; objectId: string; object: { __typename: string; id: string; name: string } | null } }>(
        await gateway.login(admin.key),
        query,
        { id: encodeGlobalID("AuditEvent", String(event.id)) },
      );
      const unitId = encodeGlobalID("SalesUnit", unit.id);
      expect(response.data!.node).toEqual({ objectType: "SalesUnit", objectId: unitId, object: { __typename: "SalesUnit", id: unitId, name: unit.name } });
      const byObject = await gateway.graphql<{ auditEvents: { nodes: { objectId: string }[] } }>(
        await gateway.login(admin.key),
        "query($id: String!) { auditEvents(first: 5, filter: { objectId: $id }) { nodes { objectId } } }",
        { id: unitId },
      );
      expect(byObject.data!.auditEvents.nodes.length).toBeGreaterThan(0);
      expect(byObject.data!.auditEvents.nodes.every((node) => node.objectId === unitId)).toBe(true);
    });
  });
});

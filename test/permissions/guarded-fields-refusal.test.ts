/** A caller refused one guarded field still gets the object holding it and its other fields, with one error at that path. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  // A Sales Unit Manager without extra permissions: sees the merchant, may not administer it or read payer data.
  token = await gateway.login("no-sum");
});
afterAll(async () => gateway?.stop());

const forbiddenAt = (path: (string | number)[]) => expect.objectContaining({ path, extensions: expect.objectContaining({ code: "FORBIDDEN" }) });

describe("a refused guarded field", () => {
  it("answers null at Merchant.memberships and keeps the merchant and the sales unit", async () => {
    const response = await gateway.graphql<{ salesUnits: { nodes: { name: string; merchant: { name: string; memberships: unknown } }[] } }>(
      token,
      "{ salesUnits(first: 1) { nodes { name merchant { name memberships(first: 5) { totalCount } } } } }",
    );
    expect(response.data!.salesUnits.nodes).toEqual([{ name: expect.any(String), merchant: { name: "Fjordkaffe AS", memberships: null } }]);
    expect(response.errors).toEqual([forbiddenAt(["salesUnits", "nodes", 0, "merchant", "memberships"])]);
  });

  it("answers null at Settlement.reportUrl with personal data and keeps the settlement's other fields", async () => {
    const msn = gateway.persona("no-sum").salesUnits[0]!;
    const unit = await gateway.services.db.salesUnit.findUniqueOrThrow({ where: { msn }, select: { id: true } });
    const response = await gateway.graphql<{ settlements: { nodes: { id: string; net: { minor: string }; csv: string; personal: string | null }[] } }>(
      token,
      `query($unit: ID!) { settlements(salesUnitId: $unit, first: 1) { nodes { id net { minor } csv: reportUrl(format: CSV) personal: reportUrl(format: CSV, includePersonalData: true) } } }`,
      { unit: encodeGlobalID("SalesUnit", unit.id) },
    );
    expect(response.data!.settlements.nodes).toEqual([{ id: expect.any(String), net: { minor: expect.stringMatching(/^-?\d+$/) }, csv: expect.stringContaining("/reports/settlements/"), personal: null }]);
    expect(response.errors).toEqual([forbiddenAt(["settlements", "nodes", 0, "personal"])]);
  });

  it("answers null at a refused query root and keeps the other roots of the same request", async () => {
    const foreign = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { merchant: { country: "DK" } }, select: { id: true } });
    const response = await gateway.graphql<{ viewer: { __typename: string }; settlements: unknown; salesUnits: { totalCount: number } }>(
      token,
      `query($unit: ID!) { viewer { __typename } salesUnits(first: 1) { totalCount } settlements(salesUnitId: $unit, first: 1) { totalCount } }`,
      { unit: encodeGlobalID("SalesUnit", foreign.id) },
    );
    expect(response.data).toEqual({ viewer: { __typename: expect.any(String) }, salesUnits: { totalCount: 1 }, settlements: null });
    expect(response.errors).toEqual([forbiddenAt(["settlements"])]);
  });
});

/** Connection types are shared by every field listing the same rows, yet each field counts its own rows. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

describe("shared connections count per field", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => gateway?.stop());

  it("answers each field's own totalCount: a merchant's sales units, and the root list filtered to its test units", async () => {
    const token = await gateway.login("no-admin");
    const merchantId = gateway.persona("no-admin").merchantId!;
    type Page = { totalCount: number; nodes: { id: string }[] };
    const response = await gateway.graphql<{ node: { salesUnits: Page }; salesUnits: Page }>(
      token,
      `query($id: ID!) {
        node(id: $id) { ... on Merchant { salesUnits(first: 100) { totalCount nodes { id } } } }
        salesUnits(first: 100, filter: { merchantId: $id, environment: TEST }) { totalCount nodes { id } }
      }`,
      { id: merchantId },
    );
    expect(response.errors).toBeUndefined();
    const { node, salesUnits } = response.data!;
    expect(node.salesUnits.totalCount).toBe(node.salesUnits.nodes.length);
    expect(salesUnits.totalCount).toBe(salesUnits.nodes.length);
    // Both are SalesUnitConnection, yet each counts with its own filter.
    expect(salesUnits.totalCount).toBeGreaterThan(0);
    expect(salesUnits.totalCount).toBeLessThan(node.salesUnits.totalCount);
  });
});

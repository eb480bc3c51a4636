/**
 * A cursor is a position in the caller's own list only. Made from a row of another merchant (a cursor someone else
 * was given, or one kept from before an access was removed), it gives an empty page, as an unknown cursor does: it
 * must not place the caller's page and so tell where that row sits in the caller's list (that it exists, bounds on
 * its amount, its name or its time). On both read paths: compiled statements and resolvers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { administerEveryMerchant, quietestStatements, startTestGateway, type TestGateway } from "../support/gateway";

interface Page {
  nodes: { id: string }[];
  pageInfo: { endCursor: string | null };
}

describe.each([
  ["compiled reads", {}],
  ["resolvers", { COMPILED_READS: "false" }],
])("a cursor from another merchant's row (%s)", (_name, env) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway(env);
    await administerEveryMerchant(gateway, "se-assistant");
  });
  afterAll(async () => gateway?.stop());

  async function page(persona: string, list: "transactions" | "salesUnits", variables: { first: number; after?: string | null; order: object | null }): Promise<Page> {
    const orderType = list === "transactions" ? "TransactionOrder" : "SalesUnitOrder";
    const response = await gateway.graphql<Record<string, Page>>(
      await gateway.token(persona),
      `query($first: Int, $after: String, $order: ${orderType}) { ${list}(first: $first, after: $after, orderBy: $order) { nodes { id } pageInfo { endCursor } } }`,
      variables,
    );
    expect(response.errors).toBeUndefined();
    return response.data![list]!;
  }

  it.for([
    { list: "transactions" as const, order: { field: "AMOUNT", direction: "ASC" } },
    { list: "transactions" as const, order: null },
    { list: "salesUnits" as const, order: { field: "NAME", direction: "DESC" } },
  ])("gives an empty page in $list, and the caller's own cursors still page", async ({ list, order }) => {
    const danish = await page("dk-admin", list, { first: 1, order });
    expect(danish.nodes).toHaveLength(1);
    expect(await page("no-admin", list, { first: 5, after: danish.pageInfo.endCursor, order })).toEqual({ nodes: [], pageInfo: { endCursor: null } });

    const own = await page("no-admin", list, { first: 4, order });
    expect(own.nodes.length).toBeGreaterThanOrEqual(3);
    const first = await page("no-admin", list, { first: 1, order });
    const next = await page("no-admin", list, { first: 3, after: first.pageInfo.endCursor, order });
    expect(next.nodes).toEqual(own.nodes.slice(1, 4));
  });

  it("gives an empty page in a list on an object (a merchant's sales units), and the caller's own cursors still page", async () => {
    const unitsOf = async (persona: string, variables: { first: number; after?: string | null }) => {
      const response = await gateway.graphql<{ node: { salesUnits: Page } }>(
        await gateway.token(persona),
        "query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Merchant { salesUnits(first: $first, after: $after) { nodes { id } pageInfo { endCursor } } } } }",
        { id: gateway.persona(persona).merchantId, ...variables },
      );
      expect(response.errors).toBeUndefined();
      return response.data!.node.salesUnits;
    };
    // By name, Fjordkaffe's units come before every one of Hygge Cykler's: a Norwegian cursor would start the Danish list.
    const norwegian = await unitsOf("no-admin", { first: 1 });
    expect(norwegian.nodes).toHaveLength(1);
    expect(await unitsOf("dk-admin", { first: 5, after: norwegian.pageInfo.endCursor })).toEqual({ nodes: [], pageInfo: { endCursor: null } });

    const own = await unitsOf("dk-admin", { first: 3 });
    expect(own.nodes.length).toBeGreaterThanOrEqual(3);
    const first = await unitsOf("dk-admin", { first: 1 });
    expect((await unitsOf("dk-admin", { first: 2, after: first.pageInfo.endCursor })).nodes).toEqual(own.nodes.slice(1, 3));
  });

  it("checks the cursor of a list on an object once per request, however many objects the page has", async () => {
    const token = await gateway.token("se-assistant");
    const after = (await gateway.graphql<{ salesUnits: Page }>(token, "{ salesUnits(first: 1) { nodes { id } pageInfo { endCursor } } }")).data!.salesUnits.pageInfo.endCursor;
    const { statements, response } = await quietestStatements<{ merchants: { nodes: unknown[] } }>(
      gateway,
      token,
      "query($after: String) { merchants(first: 20) { nodes { id salesUnits(first: 2, after: $after) { nodes { id } } } } }",
      { after },
    );
    expect(response.data?.merchants.nodes.length).toBeGreaterThan(1);
    const checks = statements.filter((sql) => sql.startsWith('SELECT "public"."SalesUnit"."id" FROM "public"."SalesUnit" WHERE'));
    expect(checks.length).toBeLessThanOrEqual(1);
  });
});

/** N+1 guard: a page of transactions with their sales unit and merchant costs the same few statements at any size. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { administerEveryMerchant, quietestStatements, startTestGateway, type TestGateway } from "../support/gateway";
import { COMPILED_STATEMENT } from "../../src/sql/compile";

const PAGE = `query($first: Int!) {
  transactions(first: $first) {
    edges { cursor node { id status amount capturedAmount currency reference createdAt
      salesUnit { id msn name merchant { id name } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The outermost table a SELECT reads (its last FROM): enough to see which statement is which. */
function tableOf(sql: string): string {
  if (sql.startsWith(COMPILED_STATEMENT)) return "compiled";
  return [...sql.matchAll(/FROM "(?:public"\.")?(\w+)"/g)].at(-1)?.[1] ?? sql.slice(0, 40);
}

// The compiled read path answers the page in one statement; the resolvers (COMPILED_READS=false, and any selection
// the compiler does not know) in one per level, and a page after a cursor in one more, which checks that the cursor's
// row is one of the list's (the compiled statement checks it inside).
describe.each([
  { mode: "compiled reads", env: { COMPILED_READS: "true" }, statements: ["compiled"], cursorCheck: [] },
  { mode: "resolvers", env: { COMPILED_READS: "false" }, statements: ["Transaction", "SalesUnit", "Merchant"], cursorCheck: ["Transaction"] },
])("SQL statements per operation, $mode", ({ env, statements, cursorCheck }) => {
  let gateway: TestGateway;
  let token: string;

  beforeAll(async () => {
    gateway = await startTestGateway(env);
    token = await gateway.login("no-admin");
  });
  afterAll(async () => gateway?.stop());

  /** The statements of one request that must succeed. */
  async function statementsFor(query: string, variables: Record<string, unknown>): Promise<string[]> {
    const { statements, response } = await quietestStatements(gateway, token, query, variables);
    expect(response.errors).toBeUndefined();
    return statements;
  }

  it("loads 50 transactions with their sales unit and merchant in a constant number of statements", async () => {
    const five = await statementsFor(PAGE, { first: 5 });
    const fifty = await statementsFor(PAGE, { first: 50 });
    expect(fifty.length).toBe(five.length);
    // The principal (user with memberships) is cached after the first request: only the page's statements remain.
    expect(fifty.map(tableOf)).toEqual(statements);
  });

  it("pages on with the cursor in the same number of statements, but for the cursor's check on the resolvers", async () => {
    const first = await gateway.graphql<{ transactions: { pageInfo: { endCursor: string } } }>(token, PAGE, { first: 50 });
    const after = first.data!.transactions.pageInfo.endCursor;
    const query = PAGE.replace("transactions(first: $first)", "transactions(first: $first, after: $after)").replace("query($first: Int!)", "query($first: Int!, $after: String)");
    const next = await statementsFor(query, { first: 50, after });
    expect(next.map(tableOf)).toEqual([...cursorCheck, ...statements]);
  });
});

const MERCHANTS_WITH_ACCESSES = `query($order: MembershipOrder) {
  merchants(first: 50) {
    nodes { name memberships(first: 3, orderBy: $order) { totalCount nodes { id role createdAt user { name } } pageInfo { hasNextPage endCursor } } }
  }
}`;

describe("SQL statements of merchants with their user accesses", () => {
  let gateway: TestGateway;
  let one: string;
  let every: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    one = await gateway.login("no-admin");
    await administerEveryMerchant(gateway, "se-assistant");
    every = await gateway.login("se-assistant");
  });
  afterAll(async () => gateway?.stop());

  type Merchants = { merchants: { nodes: { name: string; memberships: { totalCount: number; nodes: { id: string }[] } | null }[] } };

  /** The statements of the page and its answer, which must have no errors. */
  async function statementsFor(token: string, variables: Record<string, unknown>) {
    const { statements, response } = await quietestStatements<Merchants>(gateway, token, MERCHANTS_WITH_ACCESSES, variables);
    expect(response.errors).toBeUndefined();
    return { statements, data: response.data! };
  }

  it.each([{ order: null }, { order: { field: "CREATED_AT", direction: "DESC" } }, { order: { field: "NAME", direction: "ASC" } }])(
    "reads the accesses of every merchant on the page in as many statements as those of one ($order)",
    async ({ order }) => {
      const single = await statementsFor(one, { order });
      const all = await statementsFor(every, { order });
      expect(single.data.merchants.nodes).toHaveLength(1);
      expect(all.data.merchants.nodes.length).toBeGreaterThanOrEqual(3);
      for (const merchant of all.data.merchants.nodes) expect(merchant.memberships!.nodes.length).toBeGreaterThan(0);
      expect(all.statements.map(tableOf)).toEqual(single.statements.map(tableOf));
      // The merchants' ordered lists are read once, for their pages and their total counts alike.
      expect(all.statements.filter((sql) => sql.startsWith("SELECT m.id::text AS id"))).toHaveLength(1);
    },
  );
});

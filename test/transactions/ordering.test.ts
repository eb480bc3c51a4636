/**
 * Sorting and amount search on the lists people sort in the portal: every order pages through the whole list once,
 * in the order asked for, ties broken by id; the compiled read path and the resolvers answer alike.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let compiled: TestGateway;
let resolvers: TestGateway;
let token: string;

beforeAll(async () => {
  compiled = await startTestGateway();
  resolvers = await startTestGateway({ COMPILED_READS: "false" }, { sharing: compiled });
  token = await compiled.login("no-admin");
});
afterAll(async () => {
  await resolvers?.stop();
  await compiled?.stop();
});

type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] };

/** Every id of the list, page by page, from one gateway. */
async function pageThrough(gateway: TestGateway, root: "transactions" | "salesUnits", args: Record<string, unknown>, size: number) {
  const query = `query($first: Int!, $after: String, $filter: ${root === "transactions" ? "TransactionFilter" : "SalesUnitFilter"}, $orderBy: ${root === "transactions" ? "TransactionOrder" : "SalesUnitOrder"}) {
    ${root}(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const response: { data?: Record<string, Page> | null; errors?: unknown } = await gateway.graphql<Record<string, Page>>(token, query, { first: size, after, ...args });
    expect(response.errors).toBeUndefined();
    const page: Page = response.data![root]!;
    totalCount = page.totalCount;
    ids.push(...page.nodes.map((node) => node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

describe("transactions(orderBy:, filter: { amount… })", () => {
  it.each([
    ["AMOUNT", "ASC"],
    ["AMOUNT", "DESC"],
    ["STATUS", "DESC"],
    ["CREATED_AT", "ASC"],
  ] as const)("pages through one unit's payments by %s %s, ties by id, on both read paths", async (field, direction) => {
    const db = compiled.services.db;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Torgallmenningen" } });
    const rows = await db.transaction.findMany({
      where: { salesUnitId: unit.id },
      orderBy: [{ [field === "CREATED_AT" ? "createdAt" : field.toLowerCase()]: direction.toLowerCase() }, { id: direction.toLowerCase() as "asc" | "desc" }],
      select: { id: true },
    });
    expect(rows.length).toBeGreaterThan(40);
    const args = { filter: { salesUnitIds: [encodeGlobalID("SalesUnit", unit.id)] }, orderBy: { field, direction } };
    const expected = rows.map((row) => encodeGlobalID("Transaction", row.id));
    for (const gateway of [compiled, resolvers]) {
      const { ids, totalCount } = await pageThrough(gateway, "transactions", args, 17);
      expect(totalCount).toBe(rows.length);
      expect(ids).toEqual(expected);
    }
  });

  it("finds payments by exact amount and by an inclusive amount range, on both read paths", async () => {
    const db = compiled.services.db;
    const sample = await db.transaction.findFirstOrThrow({ where: { merchant: { name: "Fjordkaffe AS" } }, orderBy: { id: "asc" } });
    const exact = await db.transaction.findMany({ where: { merchantId: sample.merchantId, amount: sample.amount }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    const range = await db.transaction.findMany({
      where: { merchantId: sample.merchantId, amount: { gte: 10_000, lte: 20_000 } },
      orderBy: [{ amount: "asc" }, { id: "asc" }],
    });
    expect(range.length).toBeGreaterThan(0);
    for (const gateway of [compiled, resolvers]) {
      const byAmount = await pageThrough(gateway, "transactions", { filter: { amount: sample.amount } }, 50);
      expect(byAmount.ids).toEqual(exact.map((row) => encodeGlobalID("Transaction", row.id)));
      const inRange = await pageThrough(gateway, "transactions", { filter: { amountFrom: 10_000, amountTo: 20_000 }, orderBy: { field: "AMOUNT", direction: "ASC" } }, 100);
      expect(inRange.totalCount).toBe(range.length);
      expect(inRange.ids).toEqual(range.map((row) => encodeGlobalID("Transaction", row.id)));
      // The widest range a client can write is every payment, not a database error.
      const widest = await pageThrough(gateway, "transactions", { filter: { amountFrom: -(2 ** 31), amountTo: 2 ** 31 - 1 } }, 100);
      const everything = await pageThrough(gateway, "transactions", {}, 100);
      expect(widest.totalCount).toBe(everything.totalCount);
      expect(widest.ids).toEqual(everything.ids);
    }
  });
});

describe("salesUnits(orderBy:)", () => {
  it.each([
    ["MSN", "DESC"],
    ["NAME", "DESC"],
  ] as const)("pages through the sales units by %s %s on both read paths", async (field, direction) => {
    const db = compiled.services.db;
    const merchantId = compiled.persona("no-admin").merchantId!;
    const rows = await db.salesUnit.findMany({
      where: { merchant: { name: "Fjordkaffe AS" } },
      orderBy: [{ [field.toLowerCase()]: direction.toLowerCase() }, { id: direction.toLowerCase() as "asc" | "desc" }],
    });
    for (const gateway of [compiled, resolvers]) {
      const { ids } = await pageThrough(gateway, "salesUnits", { filter: { merchantId }, orderBy: { field, direction } }, 2);
      expect(ids).toEqual(rows.map((row) => encodeGlobalID("SalesUnit", row.id)));
    }
  });
});

describe("page size", () => {
  it("serves up to 100 rows a page and refuses more with VALIDATION_FAILED naming the argument, on both read paths", async () => {
    for (const gateway of [compiled, resolvers]) {
      const full = await gateway.graphql<{ transactions: { nodes: unknown[] } }>(token, "{ transactions(first: 100) { nodes { id } } }");
      expect(full.data!.transactions.nodes).toHaveLength(100);
      for (const [query, field, root] of [
        ["{ transactions(first: 101) { nodes { id } } }", "first", "transactions"],
        ["{ salesUnits(last: 150) { nodes { id } } }", "last", "salesUnits"],
      ] as const) {
        const refused = await gateway.graphql(token, query);
        // The root is nullable (it is guarded), so the refusal nulls that root alone.
        expect(refused.data).toEqual({ [root]: null });
        expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "VALIDATION_FAILED", field });
        expect(refused.errors?.[0]?.message).toContain("at most 100 rows");
      }
    }
  });
});

/**
 * Sorting settlements by period or payout date: every order pages through the whole list once, in the order asked
 * for, ties broken by id in the same direction.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  token = await gateway.login("no-admin");
});
afterAll(async () => {
  await gateway?.stop();
});

type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] };

/** Every id of a connection, two at a time, following the cursors; `pick` finds the connection in the answer. */
async function pageThrough(query: string, variables: Record<string, unknown>, pick: (data: Record<string, unknown>) => Page) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const response: { data?: Record<string, unknown> | null; errors?: unknown } = await gateway.graphql<Record<string, unknown>>(token, query, { first: 2, after, ...variables });
    expect(response.errors).toBeUndefined();
    const page = pick(response.data!);
    totalCount = page.totalCount;
    ids.push(...page.nodes.map((node) => node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

/** Expected order: by key (nulls after every name going up, before going down, as PostgreSQL does), then id. */
function sorted<T extends { id: string }>(rows: T[], key: (row: T) => string | null, direction: "ASC" | "DESC") {
  const sign = direction === "ASC" ? 1 : -1;
  const compare = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...rows].sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.id, b.id)));
}

describe("settlements(orderBy:)", () => {
  it.each([
    ["PERIOD", "ASC"],
    ["PERIOD", "DESC"],
    ["PAYOUT", "ASC"],
    ["PAYOUT", "DESC"],
  ] as const)("pages through a unit's settlements by %s %s, ties by id", async (field, direction) => {
    const db = gateway.services.db;
    const merchantId = (await db.merchant.findFirstOrThrow({ where: { name: "Fjordkaffe AS" } })).id;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { merchantId, settlements: { some: {} } }, orderBy: { name: "asc" } });
    const settlements = await db.settlement.findMany({ where: { salesUnitId: unit.id }, orderBy: { periodStart: "asc" } });
    expect(settlements.length).toBeGreaterThanOrEqual(3);
    // Two settlements paid out the same day, so the id has to break the tie.
    await db.settlement.update({ where: { id: settlements[1]!.id }, data: { payoutDate: settlements[0]!.payoutDate } });
    const rows = await db.settlement.findMany({ where: { salesUnitId: unit.id } });
    const column = field === "PERIOD" ? "periodStart" : "payoutDate";
    const expected = sorted(rows, (row) => row[column].toISOString(), direction).map((row) => encodeGlobalID("Settlement", row.id));
    const query = `query($unit: ID!, $first: Int!, $after: String, $orderBy: SettlementOrder) {
      settlements(salesUnitId: $unit, first: $first, after: $after, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
    const { ids, totalCount } = await pageThrough(query, { unit: encodeGlobalID("SalesUnit", unit.id), orderBy: { field, direction } }, (data) => data.settlements as Page);
    expect(totalCount).toBe(rows.length);
    expect(ids).toEqual(expected);
  });
});

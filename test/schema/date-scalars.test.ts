/**
 * DateTime and Date inputs hold years 0001–9999: year 0000, which graphql-scalars accepts and PostgreSQL has no such
 * year for, is refused as an input error before anything runs, as a variable and as a literal, instead of failing
 * in the database as an untyped error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  token = await gateway.login("no-admin");
});
afterAll(async () => gateway?.stop());

describe("a date in year 0000", () => {
  it.each([
    ["transactions", `query($from: DateTime!) { transactions(first: 1, filter: { createdFrom: $from }) { totalCount } }`, { from: "0000-01-01T00:00:00Z" }],
    ["auditEvents", `query($from: DateTime!) { auditEvents(first: 1, filter: { from: $from }) { totalCount } }`, { from: "0000-06-01T12:00:00Z" }],
    ["a literal", `{ transactions(first: 1, filter: { createdTo: "0000-01-01T00:00:00Z" }) { totalCount } }`, {}],
  ])("is refused as a clear input error (%s)", async (_what, query, variables) => {
    const response = await gateway.graphql(token, query, variables);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("years run from 0001 to 9999") })]);
    expect(JSON.stringify(response.errors)).not.toContain("INTERNAL_SERVER_ERROR");
  });

  it("leaves the years around it alone", async () => {
    const response = await gateway.graphql<{ transactions: { totalCount: number } }>(token, `query($from: DateTime!) { transactions(first: 1, filter: { createdFrom: $from }) { totalCount } }`, {
      from: "0001-01-01T00:00:00Z",
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.transactions.totalCount).toBeGreaterThan(0);
  });
});

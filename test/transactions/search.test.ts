/** The transactions search: bounded, literal (LIKE wildcards match themselves) and refusing NUL with a typed error. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { SEARCH_MAX_LENGTH } from "../../src/domain/search";

const SEARCH = `query($search: String) { transactions(first: 5, filter: { search: $search }) { totalCount } }`;

let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  token = await gateway.token("no-admin");
  // Two payments whose descriptions hold LIKE's wildcards as plain characters.
  const [first, second] = await gateway.services.db.transaction.findMany({ where: { salesUnit: { name: "Fjordkaffe Torgallmenningen" } }, take: 2, orderBy: { id: "asc" } });
  await gateway.services.db.transaction.update({ where: { id: first!.id }, data: { description: "Julebord 50% forskudd" } });
  await gateway.services.db.transaction.update({ where: { id: second!.id }, data: { description: "kaffe_abonnement mars" } });
});
afterAll(async () => gateway?.stop());

async function search(value: unknown) {
  const response = await gateway.graphql<{ transactions: { totalCount: number } | null }>(token, SEARCH, { search: value });
  return { count: response.data?.transactions?.totalCount, errors: response.errors };
}

describe("transactions search", () => {
  it("matches % and _ as the characters themselves, not as wildcards", async () => {
    expect(await search("%")).toEqual({ count: 1, errors: undefined });
    expect(await search("50%")).toEqual({ count: 1, errors: undefined });
    expect(await search("_")).toEqual({ count: 1, errors: undefined });
    expect(await search("e_a")).toEqual({ count: 1, errors: undefined });
  });

  it("still finds payments by a word of their description", async () => {
    expect((await search("julebord")).count).toBe(1);
  });

  it(`refuses a search longer than ${SEARCH_MAX_LENGTH} characters with a typed error before touching the database`, async () => {
    gateway.resetQueries();
    const { count, errors } = await search("a".repeat(SEARCH_MAX_LENGTH + 1));
    expect(count).toBeUndefined();
    expect(errors?.[0]).toMatchObject({ extensions: { code: "VALIDATION_FAILED", field: "search" } });
    expect(gateway.queries.filter((sql) => sql.includes('"Transaction"'))).toEqual([]);
    expect((await search("a".repeat(SEARCH_MAX_LENGTH))).errors).toBeUndefined();
  });

  it("refuses a NUL character in a variable or in the document with BAD_USER_INPUT", async () => {
    const inVariable = await search("kaffe\u0000");
    expect(inVariable.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const inDocument = await gateway.graphql(token, `{ transactions(first: 1, filter: { search: "kaffe\\u0000" }) { totalCount } }`);
    expect(inDocument.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses any text input over the global bound, even in a field without its own rule", async () => {
    const response = await gateway.graphql(token, `query($ref: String) { transactions(first: 1, filter: { reference: $ref }) { totalCount } }`, { ref: "x".repeat(5000) });
    expect(response.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("other searches", () => {
  it("match the sales unit and partner names literally", async () => {
    const units = await gateway.graphql<{ salesUnits: { totalCount: number } }>(token, `{ salesUnits(first: 1, filter: { search: "%" }) { totalCount } }`);
    expect(units.data?.salesUnits.totalCount).toBe(0);
    const named = await gateway.graphql<{ salesUnits: { totalCount: number } }>(token, `{ salesUnits(first: 1, filter: { search: "torgallm" }) { totalCount } }`);
    expect(named.data?.salesUnits.totalCount).toBeGreaterThan(0);
    const partners = await gateway.graphql<{ partners: { edges: unknown[]; totalCount: number } }>(token, `{ partners(first: 5, search: "_") { edges { cursor } totalCount } }`);
    expect(partners.data?.partners).toEqual({ edges: [], totalCount: 0 });
    const all = await gateway.graphql<{ partners: { totalCount: number } }>(token, `{ partners(first: 1) { totalCount } }`);
    expect(all.data?.partners.totalCount).toBe(await gateway.services.db.partner.count());
  });
});

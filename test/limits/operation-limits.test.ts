/** What one GraphQL operation may ask for: aliases, directives, depth (introspection too), cost with variables, and who may introspect. */
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessToken, startTestGateway, type TestGateway } from "../support/gateway";

const PAGE = `query($n: Int) { transactions(first: $n) { edges { node { id salesUnit { name } operations { id } } } } }`;

describe("operation limits", () => {
  let gateway: TestGateway;
  let token: string;
  beforeAll(async () => {
    gateway = await startTestGateway();
    token = await gateway.token("no-admin");
  });
  afterAll(async () => gateway?.stop());

  const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }) => response.errors?.[0]?.extensions?.code;

  it("refuses 280 aliased __schema selections without running them, and still answers one introspection", async () => {
    const aliased = `{ ${Array.from({ length: 280 }, (_, i) => `s${i}: __schema { queryType { name } }`).join(" ")} }`;
    const response = await fetch(`${gateway.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: aliased }) });
    const body = await response.text();
    expect(body.length).toBeLessThan(2000);
    expect(JSON.parse(body).errors[0].message).toMatch(/alias/i);
    const one = await gateway.graphql<{ __schema: { queryType: { name: string } } }>(null, getIntrospectionQuery());
    expect(one.errors).toBeUndefined();
    expect(one.data?.__schema.queryType.name).toBe("Query");
  });

  it("refuses a hundred aliased pages of transactions, and serves one", async () => {
    const aliased = `{ ${Array.from({ length: 100 }, (_, i) => `t${i}: transactions(first: 100) { edges { node { id operations { id } } } }`).join(" ")} }`;
    expect((await gateway.graphql(token, aliased)).errors?.[0]?.message).toMatch(/alias/i);
    expect((await gateway.graphql(token, PAGE, { n: 100 })).errors).toBeUndefined();
  });

  it("counts `first: $n` as n: the same document is refused for a huge page and served for a normal one", async () => {
    const huge = await gateway.graphql(token, PAGE, { n: 100_000 });
    expect(codeOf(huge)).toBe("QUERY_TOO_COSTLY");
    expect((await gateway.graphql(token, PAGE, { n: 50 })).errors).toBeUndefined();
  });

  it("takes at most 100 ids in nodes(ids:), and prices each id: four aliases of 950 ids are refused, not answered", async () => {
    const merchant = gateway.persona("no-admin").merchantId!;
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Merchant { name } } }`;
    const served = await gateway.graphql<{ nodes: ({ id: string } | null)[] }>(token, NODES, { ids: Array.from({ length: 100 }, () => merchant) });
    expect(served.errors).toBeUndefined();
    expect(served.data!.nodes).toHaveLength(100);
    expect(codeOf(await gateway.graphql(token, NODES, { ids: Array.from({ length: 101 }, () => merchant) }))).toBe("VALIDATION_FAILED");
    const aliased = `query($ids: [ID!]!) { ${["a", "b", "c", "d"].map((alias) => `${alias}: nodes(ids: $ids) { id ... on Merchant { salesUnits(first: 100) { nodes { id name msn status } } } }`).join(" ")} }`;
    expect(codeOf(await gateway.graphql(token, aliased, { ids: Array.from({ length: 950 }, () => merchant) }))).toBe("QUERY_TOO_COSTLY");
  });

  it("remembers a document's verdicts but prices its variables on every request: served for n = 50, then refused for n = 100,000", async () => {
    const document = `query($n: Int, $ref: String) { transactions(first: $n, filter: { reference: $ref }) { edges { node { id salesUnit { name } } } } }`;
    expect((await gateway.graphql(token, document, { n: 50 })).errors).toBeUndefined();
    expect(codeOf(await gateway.graphql(token, document, { n: 100_000 }))).toBe("QUERY_TOO_COSTLY");
    expect(codeOf(await gateway.graphql(token, document, { n: 50, ref: "a\u0000b" }))).toBe("BAD_USER_INPUT");
    expect((await gateway.graphql(token, document, { n: 50 })).errors).toBeUndefined();
  });

  it("refuses a document whose fixed cost is too high every time it is sent, not only the first", async () => {
    const costly = `{ transactions(first: 100000) { edges { node { id salesUnit { name } } } } }`;
    expect(codeOf(await gateway.graphql(token, costly))).toBe("QUERY_TOO_COSTLY");
    expect(codeOf(await gateway.graphql(token, costly))).toBe("QUERY_TOO_COSTLY");
  });

  it("prices introspection, so a dozen aliased schemas cost too much even under the alias limit", async () => {
    const twelve = `{ ${Array.from({ length: 12 }, (_, i) => `s${i}: __schema { queryType { name } }`).join(" ")} }`;
    expect(codeOf(await gateway.graphql(token, twelve))).toBe("QUERY_TOO_COSTLY");
  });

  it("limits the depth of introspection selections too", async () => {
    const deep = `{ __schema { types { fields { type { ${"ofType { ".repeat(16)}name${" }".repeat(16)} } } } } }`;
    expect((await gateway.graphql(token, deep)).errors?.[0]?.message).toMatch(/depth/i);
  });

  it("refuses an operation with too many directives", async () => {
    const directives = `{ viewer { kind ${"@include(if: true) ".repeat(30)} } }`;
    expect((await gateway.graphql(token, directives)).errors?.[0]?.message).toMatch(/directive/i);
    expect((await gateway.graphql(token, `{ viewer { kind @include(if: true) } }`)).errors).toBeUndefined();
  });
});

describe("introspection and GraphiQL in production", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ NODE_ENV: "production", DEV_LOGIN: "false", PUBLIC_BASE_URL: "https://portal.example" });
  });
  afterAll(async () => gateway?.stop());

  it("answers introspection only to a caller with a token", async () => {
    const anonymous = await gateway.graphql(null, `{ __schema { queryType { name } } }`);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(anonymous.data ?? null).toBeNull();
    const partner = gateway.persona("partner");
    const token = await accessToken(gateway.url, partner.clientId!, partner.clientSecret!, partner.subscriptionKey!);
    expect((await gateway.graphql(token, `{ __schema { queryType { name } } }`)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect((await gateway.graphql(null, `{ __typename }`)).data).toEqual({ __typename: "Query" });
  });

  it("refuses anonymous introspection before parsing and validating it, and still validates a caller's with a token", async () => {
    // Validation would report the unknown field, if it ran.
    const invalid = `{ __schema { noSuchField } }`;
    const anonymous = await gateway.graphql(null, invalid);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    const partner = gateway.persona("partner");
    const token = await accessToken(gateway.url, partner.clientId!, partner.clientSecret!, partner.subscriptionKey!);
    expect((await gateway.graphql(token, invalid)).errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    // `__typename` is not introspection.
    expect((await gateway.graphql(null, `{ __typename }`)).status).toBe(200);
  });

  it("refuses anonymous introspection before parsing it on /graphql/stream too", async () => {
    const response = await fetch(`${gateway.url}/graphql/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: `{ __schema { noSuchField } }` }),
    });
    const text = await response.text();
    const next = /event: next\ndata: (.*)\n/.exec(text);
    expect(next, text).not.toBeNull();
    const result = JSON.parse(next![1]!) as { data: unknown; errors: { extensions?: { code?: string } }[] };
    expect(result.errors.map((error) => error.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
  });

  it("serves no GraphiQL page", async () => {
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: "text/html" } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});

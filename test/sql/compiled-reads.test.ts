/**
 * The compiled read path answers exactly what the resolvers answer. Two gateways share one database, one with
 * COMPILED_READS off; every query below is sent as every persona to both, and the response bodies must be equal.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { quietestStatements, startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";
import { COMPILED_STATEMENT } from "../../src/sql/compile";

const PERSONAS = ["no-admin", "no-sum", "no-sum-tm", "no-assistant", "no-assistant-tm-dev", "se-assistant", "dk-admin", "two-merchants", "partner", "partner-unlinked", "operator", "applicant"];

const TX_FIELDS = `id status amount authorizedAmount capturedAmount refundedAmount cancelledAmount currency reference description
  createdAt updatedAt expiresAt reservedAt payer { name phoneNumber email message } shipping { name address method }
  operations { id type amount actorKind actorLabel createdAt }`;

const UNIT_FIELDS = `id msn name logoUrl environment channel currency status settlementFrequency settlementAccount
  capabilities { recurring skipLandingPage directCapture paymentLinks login lateCapture } createdAt activatedAt deactivatedAt
  merchant { id name organizationNumber country addressLine postalCode city website contactEmail createdAt }`;

const QUERIES: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  { name: "a page of transactions with units and merchants", query: `{ transactions(first: 50) { totalCount edges { cursor node { ${TX_FIELDS} salesUnit { ${UNIT_FIELDS} } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }` },
  { name: "default page size, nodes and typenames", query: `{ __typename transactions { __typename nodes { __typename id reference salesUnit { __typename msn } } pageInfo { __typename endCursor } } }` },
  { name: "filters", query: `query($f: TransactionFilter) { transactions(first: 20, filter: $f) { totalCount nodes { id status reference amount } } }`, variables: { f: { status: ["RESERVED", "CAPTURED"], createdFrom: "2025-06-01T00:00:00Z", createdTo: "2026-10-01T00:00:00Z" } } },
  { name: "a filter with one value (written as an equality)", query: `query($f: TransactionFilter) { transactions(first: 30, filter: $f) { totalCount nodes { id status salesUnit { name merchant { name } } } } }`, variables: { f: { status: ["CAPTURED"] } } },
  { name: "free-text search", query: `query($f: TransactionFilter) { transactions(first: 10, filter: $f) { totalCount nodes { id reference payer { name } } } }`, variables: { f: { search: "a" } } },
  { name: "a search with LIKE wildcards, matched literally", query: `query($f: TransactionFilter) { transactions(first: 10, filter: $f) { totalCount nodes { id } } }`, variables: { f: { search: "%_" } } },
  { name: "a search that matches nothing", query: `query($f: TransactionFilter) { transactions(first: 10, filter: $f) { totalCount nodes { id } pageInfo { hasNextPage startCursor endCursor } } }`, variables: { f: { search: "zzzz-nothing" } } },
  { name: "first: 0", query: `{ transactions(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage startCursor endCursor } } }` },
  { name: "over the maximum page size", query: `{ transactions(first: 500) { edges { cursor } } }` },
  { name: "aliases, fragments and directives", query: `query($skip: Boolean!) { a: transactions(first: 3) { ...page } b: transactions(first: 2) @skip(if: $skip) { nodes { id } } viewer { kind } }
      fragment page on TransactionConnection { edges { node { ... on Transaction { id amount } ...more } } }
      fragment more on Transaction { id status salesUnit { name @include(if: $skip) msn } }`, variables: { skip: true } },
  { name: "sales units", query: `{ salesUnits(first: 30) { totalCount nodes { ${UNIT_FIELDS} } pageInfo { hasNextPage endCursor } } }` },
  { name: "sales units filtered", query: `{ salesUnits(first: 5, filter: { search: "a", environment: PRODUCTION }) { totalCount edges { cursor node { id name msn } } } }` },
  { name: "viewer with memberships and their sales units", query: `{ viewer { kind label expiresAt memberships { id role permissions createdAt merchant { id name } salesUnits { id msn name status } } } }` },
];

describe("compiled reads", () => {
  let compiled: TestGateway;
  let resolvers: TestGateway;

  beforeAll(async () => {
    compiled = await startTestGateway();
    resolvers = await startTestGateway({ COMPILED_READS: "false" }, { sharing: compiled });
  });
  afterAll(async () => {
    await resolvers?.stop();
    await compiled?.stop();
  });

  async function both(persona: string, query: string, variables?: Record<string, unknown>, operationName?: string) {
    const token = await compiled.token(persona);
    const [fast, slow] = await Promise.all([compiled.graphql(token, query, variables, operationName), resolvers.graphql(token, query, variables, operationName)]);
    return { fast, slow };
  }

  /** Whether `query` is answered by one compiled statement (after a warm-up request), and without errors. */
  async function answeredCompiled(query: string, variables: Record<string, unknown>, operationName?: string) {
    const token = await compiled.token("no-admin");
    const { statements, response } = await quietestStatements(compiled, token, query, variables, operationName);
    expect(response.errors).toBeUndefined();
    return statements.length === 1 && statements[0]!.startsWith(COMPILED_STATEMENT);
  }

  for (const { name, query, variables } of QUERIES) {
    it(`answers like the resolvers: ${name}`, async () => {
      for (const persona of PERSONAS) {
        const { fast, slow } = await both(persona, query, variables);
        expect({ persona, ...fast }).toEqual({ persona, ...slow });
      }
    });
  }

  it("pages on with cursors like the resolvers", async () => {
    const query = `query($after: String) { transactions(first: 7, after: $after) { edges { cursor node { id createdAt } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
    for (const persona of ["no-admin", "no-assistant", "partner"]) {
      let after: string | null = null;
      for (let page = 0; page < 3; page++) {
        const { fast, slow } = await both(persona, query, { after });
        expect(fast).toEqual(slow);
        after = (fast.data as { transactions: { pageInfo: { endCursor: string | null } } }).transactions.pageInfo.endCursor;
        if (!after) break;
      }
    }
  });

  it("refuses a cursor with extra base64 padding or characters as the resolvers do", async () => {
    const query = `query($after: String) { transactions(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } }`;
    const { fast: first } = await both("operator", query, {});
    const cursor = (first.data as { transactions: { edges: { cursor: string }[] } }).transactions.edges[0]!.cursor;
    for (const after of [`${cursor}=`, `${cursor}A`, `${cursor}==`]) {
      for (const persona of ["operator", "no-admin"]) {
        const { fast, slow } = await both(persona, query, { after });
        expect({ persona, after, ...fast }).toEqual({ persona, after, ...slow });
        expect(fast.errors?.length, `${persona} ${after}`).toBe(1);
      }
    }
  });

  it("answers node(id:) like the resolvers, for objects of the caller's merchant and of others", async () => {
    const adminToken = await compiled.token("operator");
    const page = await compiled.graphql<{ transactions: { nodes: { id: string; salesUnit: { id: string; merchant: { id: string } } }[] } }>(
      adminToken,
      `{ transactions(first: 100) { nodes { id salesUnit { id merchant { id } } } } }`,
    );
    const ids = new Set<string>();
    for (const node of page.data!.transactions.nodes.filter((_, i) => i % 10 === 0)) ids.add(node.id).add(node.salesUnit.id).add(node.salesUnit.merchant.id);
    const query = `query($id: ID!) { node(id: $id) { __typename id ... on Transaction { ${TX_FIELDS} salesUnit { name } } ... on SalesUnit { ${UNIT_FIELDS} } ... on Merchant { name country } } }`;
    for (const persona of PERSONAS) {
      for (const id of ids) {
        const { fast, slow } = await both(persona, query, { id });
        expect({ persona, id, ...fast }).toEqual({ persona, id, ...slow });
      }
    }
  });

  it("writes text JSON must escape as the resolvers write it, in its one statement", async () => {
    const token = await compiled.token("no-admin");
    const first = await compiled.graphql<{ transactions: { nodes: { id: string; salesUnit: { id: string; merchant: { id: string } } }[] } }>(
      token,
      "{ transactions(first: 1) { nodes { id salesUnit { id merchant { id } } } } }",
    );
    const node = first.data!.transactions.nodes[0]!;
    // Quotes, backslashes, control characters, line and paragraph separators, characters outside the BMP, and the
    // text of the compiled path's own marker for a refused object (here a plain string, which must not count as one).
    const awkward = 'a "quoted" \\ back\\slash\n line\ttab \u0001 \u2028\u2029 ø 👛 "\\u0000denied" </script>';
    const client = new pg.Client({ connectionString: compiled.databaseUrl });
    await client.connect();
    try {
      await client.query(`UPDATE "Transaction" SET description = $2, "payerName" = $2, "payerEmail" = NULL WHERE id = $1`, [uuidOf(node.id), awkward]);
      await client.query(`UPDATE "SalesUnit" SET name = $2 WHERE id = $1`, [uuidOf(node.salesUnit.id), `${awkward} unit`]);
      await client.query(`UPDATE "Merchant" SET name = $2 WHERE id = $1`, [uuidOf(node.salesUnit.merchant.id), `${awkward} merchant`]);
    } finally {
      await client.end();
    }
    const query = `query($id: ID!) { node(id: $id) { id ... on Transaction { description payer { name email } salesUnit { name merchant { name } } } } }`;
    const { statements, response } = await quietestStatements(compiled, token, query, { id: node.id });
    expect(statements).toHaveLength(1);
    expect(statements[0]?.slice(0, COMPILED_STATEMENT.length)).toBe(COMPILED_STATEMENT);
    expect(response.data).toEqual({
      node: { id: node.id, description: awkward, payer: { name: awkward, email: null }, salesUnit: { name: `${awkward} unit`, merchant: { name: `${awkward} merchant` } } },
    });
    const { fast, slow } = await both("no-admin", query, { id: node.id });
    expect(fast).toEqual(slow);
  });

  it("answers a page in one statement at any page size, the principal being cached", async () => {
    const token = await compiled.token("no-admin");
    const query = `query($first: Int!) { transactions(first: $first) { totalCount edges { cursor node { id status salesUnit { id msn name merchant { id name } } operations { type amount } } } pageInfo { hasNextPage endCursor } } }`;
    for (const first of [5, 50]) {
      // Background jobs share the statement log: the quietest of three tries is the request's own count.
      const counts: string[][] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        compiled.resetQueries();
        const response = await compiled.graphql(token, query, { first });
        expect(response.errors).toBeUndefined();
        counts.push([...compiled.queries]);
      }
      // The principal is cached after the first request, so the page is its one statement.
      const quietest = counts.sort((a, b) => a.length - b.length)[0]!;
      expect(quietest).toHaveLength(1);
      expect(quietest[0]?.slice(0, COMPILED_STATEMENT.length)).toBe(COMPILED_STATEMENT);
    }
  });
  it("still compiles a document whose variables left out, this time, the field the last request selected that it cannot compile", async () => {
    const token = await compiled.token("no-admin");
    // availableActions is the resolvers' alone; here it is selected or not by the request's variable.
    const query = `query($actions: Boolean!) { transactions(first: 3) { nodes { id status availableActions @include(if: $actions) { cancel { amount } } } } }`;
    const statementsOf = async (actions: boolean) => {
      const { statements, response } = await quietestStatements(compiled, token, query, { actions });
      expect(response.errors).toBeUndefined();
      return statements;
    };
    expect((await statementsOf(true)).some((sql) => sql.startsWith(COMPILED_STATEMENT))).toBe(false);
    const compiledPage = await statementsOf(false);
    expect(compiledPage).toHaveLength(1);
    expect(compiledPage[0]?.slice(0, COMPILED_STATEMENT.length)).toBe(COMPILED_STATEMENT);
  });

  it("answers an operation name that names nothing, even an empty one, with the resolvers' error", async () => {
    const query = `query Page { transactions(first: 2) { nodes { id } } }`;
    for (const operationName of ["", "Other"]) {
      const { fast, slow } = await both("no-admin", query, {}, operationName);
      expect(fast.errors?.length).toBe(1);
      expect(fast.data).toBeUndefined();
      expect(fast).toEqual(slow);
    }
  });

  it("answers node(id:) of a type it does not compile like the resolvers, whatever the type's name", async () => {
    const query = `query($id: ID!) { node(id: $id) { id } }`;
    for (const typename of ["constructor", "__proto__", "toString", "Membership"]) {
      const id = Buffer.from(`${typename}:${randomUUID()}`).toString("base64");
      const { fast, slow } = await both("no-admin", query, { id });
      expect({ typename, ...fast }).toEqual({ typename, ...slow });
    }
  });

  // One request's choice must not keep the document from the compiled path for the next request.
  const requestChoices: { name: string; query: string; first: [Record<string, unknown>, string?]; next: [Record<string, unknown>, string?] }[] = [
    {
      name: "a backward page",
      query: `query($last: Int, $first: Int) { transactions(last: $last, first: $first) { nodes { id status } } }`,
      first: [{ last: 2 }],
      next: [{ first: 2 }],
    },
    {
      name: "the document's mutation",
      query: `query Recent { transactions(first: 2) { nodes { id amount } } } mutation Named { __typename }`,
      first: [{}, "Named"],
      next: [{}, "Recent"],
    },
    {
      name: "an operation name that names nothing",
      query: `query Latest { transactions(first: 2) { nodes { id reference } } }`,
      first: [{}, "Nothing"],
      next: [{}, "Latest"],
    },
    {
      name: "a node of a type whose selection it does not compile",
      query: `query($id: ID!) { node(id: $id) { id ... on SalesUnit { qrCodes { totalCount } } ... on Transaction { status } } }`,
      first: [{ id: "" }],
      next: [{ id: "" }],
    },
  ];
  for (const choice of requestChoices) {
    it(`still compiles a document after one request chose ${choice.name}`, async () => {
      const token = await compiled.token("no-admin");
      if (choice.name.startsWith("a node")) {
        // A sales unit the caller sees first (its QR codes are the resolvers' alone), then a payment.
        const page = await compiled.graphql<{ transactions: { nodes: { id: string; salesUnit: { id: string } }[] } }>(token, "{ transactions(first: 1) { nodes { id salesUnit { id } } } }");
        const payment = page.data!.transactions.nodes[0]!;
        choice.first[0].id = payment.salesUnit.id;
        choice.next[0].id = payment.id;
      }
      await compiled.graphql(token, choice.query, ...choice.first);
      expect(await answeredCompiled(choice.query, ...choice.next)).toBe(true);
    });
  }
});

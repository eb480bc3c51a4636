/**
 * The compiled reads' fast lane (src/sql/fast-lane.ts): a document the compiled path has answered once is answered
 * next time without Yoga, with the same status, headers and body, and with every limit and access rule still applied.
 * Whatever the lane refuses to answer itself goes to Yoga and gets Yoga's own answer, charged once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, decodeJwt } from "jose";
import pg from "pg";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";
import { key, mutate, requestPayment, succeeded, unitByName } from "../transactions/support";
import { COMPILED_STATEMENT } from "../../src/sql/compile";
import { MAX_KNOWN_DOCUMENTS } from "../../src/sql/fast-lane";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function post(gateway: TestGateway, token: string | null, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
  const kept = [...response.headers].filter(([name]) => name !== "date" && name !== "x-request-id");
  return { status: response.status, headers: Object.fromEntries(kept), body: await response.text() };
}

/** Runs `send` and says which path answered: the lane itself, or Yoga (whether the lane looked at it first or not). */
async function pathOf(gateway: TestGateway, send: () => Promise<Answer>): Promise<{ answer: Answer; path: "lane" | "yoga" }> {
  const before = gateway.fastLane!.counts.answered;
  const answer = await send();
  return { answer, path: gateway.fastLane!.counts.answered > before ? "lane" : "yoga" };
}

/** For comparing with the resolvers' gateway: the two may escape text differently, so bodies compare parsed. */
const parsed = ({ status, headers, body }: Answer) => ({ status, headers: { ...headers, "content-length": undefined }, json: JSON.parse(body) as unknown });

const codeOf = (answer: Answer) => (JSON.parse(answer.body) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;

describe("the fast lane for compiled reads", () => {
  let gateway: TestGateway;
  let resolvers: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
    resolvers = await startTestGateway({ COMPILED_READS: "false" }, { sharing: gateway });
  });
  afterAll(async () => {
    await resolvers?.stop();
    await gateway?.stop();
  });

  it("answers a document Yoga's compiled path answered before, with the same status, headers and body, in one statement", async () => {
    const token = await gateway.token("no-admin");
    const variants: Record<string, string>[] = [{}, { origin: "https://portal.example", accept: "application/graphql-response+json" }];
    for (const headers of variants) {
      const query = `{ viewer { kind label memberships { id role merchant { id name } salesUnits { id msn name } } } ${"origin" in headers ? "v: viewer { kind }" : ""} }`;
      const first = await pathOf(gateway, () => post(gateway, token, { query }, headers));
      expect(first.path).toBe("yoga");
      gateway.resetQueries();
      const second = await pathOf(gateway, () => post(gateway, token, { query }, headers));
      expect(second.path).toBe("lane");
      expect(second.answer).toEqual(first.answer);
      expect(gateway.queries).toHaveLength(1);
      expect(gateway.queries[0]?.slice(0, COMPILED_STATEMENT.length)).toBe(COMPILED_STATEMENT);
      // A different operation name is another key: it goes through Yoga first.
      expect((await pathOf(gateway, () => post(gateway, token, { query: `query Screen ${query}`, operationName: "Screen" }, headers))).path).toBe("yoga");
    }
  });

  it("keeps one statement per value of the variables the operation declares: undeclared ones neither key it nor change it", async () => {
    const token = await gateway.token("no-admin");
    const query = "query Recent($n: Int) { transactions(first: $n) { nodes { id reference } } }";
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).path).toBe("yoga");
    const first = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }));
    expect(first.path).toBe("lane");
    const compiledBefore = gateway.fastLane!.counts.compiled;
    for (let i = 0; i < 20; i++) {
      const junk = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2, [`junk${i}`]: "x".repeat(1_000) } }));
      expect(junk.path).toBe("lane");
      expect(junk.answer.body).toBe(first.answer.body);
    }
    expect(gateway.fastLane!.counts.compiled).toBe(compiledBefore);
    // Another value of a declared variable is another statement.
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 3 } }))).answer.body).not.toBe(first.answer.body);
    expect(gateway.fastLane!.counts.compiled).toBe(compiledBefore + 1);
  });

  it("leaves a content type Yoga refuses to Yoga, whatever its case or spacing", async () => {
    const token = await gateway.token("no-admin");
    const query = "{ viewer { label kind } }";
    expect((await pathOf(gateway, () => post(gateway, token, { query }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query }, { "content-type": "application/json;charset=UTF-8" }))).path).toBe("lane");
    for (const type of ["Application/JSON", "application/json ; charset=utf-8", "APPLICATION/JSON;CHARSET=UTF-8", "text/plain, application/json"]) {
      const { answer, path } = await pathOf(gateway, () => post(gateway, token, { query }, { "content-type": type }));
      expect({ type, path }).toEqual({ type, path: "yoga" });
      expect({ type, status: answer.status }).toEqual({ type, status: (await post(resolvers, token, { query }, { "content-type": type })).status });
    }
  });

  it("keeps the access rules: each caller's answer is their own, another merchant's payment is not found, as the resolvers answer", async () => {
    const query = "query($id: ID!) { node(id: $id) { __typename id ... on Transaction { amount status salesUnit { name merchant { name } } } } }";
    const idsOf = async (persona: string) =>
      (await gateway.graphql<{ transactions: { nodes: { id: string }[] } }>(await gateway.token(persona), "{ transactions(first: 2) { nodes { id } } }")).data!.transactions.nodes.map((n) => n.id);
    const own = await idsOf("no-admin");
    const other = await idsOf("dk-admin");
    const token = await gateway.token("no-admin");
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { id: own[0] } }))).path).toBe("yoga");
    const again = await pathOf(gateway, () => post(gateway, token, { query, variables: { id: own[1] } }));
    expect(again.path).toBe("lane");
    expect(parsed(again.answer)).toEqual(parsed(await post(resolvers, token, { query, variables: { id: own[1] } })));

    gateway.resetQueries();
    const refused = await pathOf(gateway, () => post(gateway, token, { query, variables: { id: other[0] } }));
    const expected = await post(resolvers, token, { query, variables: { id: other[0] } });
    expect(parsed(refused.answer)).toEqual(parsed(expected));
    expect(refused.path).toBe("lane");
    expect(JSON.parse(refused.answer.body)).toEqual({ data: { node: null } });
    expect(gateway.queries.filter((q) => q.startsWith(COMPILED_STATEMENT))).toHaveLength(1);

    // The same document as another persona: their own access, not the first caller's.
    const dkToken = await gateway.token("dk-admin");
    const theirs = await pathOf(gateway, () => post(gateway, dkToken, { query, variables: { id: other[0] } }));
    expect(theirs.path).toBe("lane");
    expect(parsed(theirs.answer)).toEqual(parsed(await post(resolvers, dkToken, { query, variables: { id: other[0] } })));
    const notTheirs = await pathOf(gateway, () => post(gateway, dkToken, { query, variables: { id: own[0] } }));
    expect(parsed(notTheirs.answer)).toEqual(parsed(await post(resolvers, dkToken, { query, variables: { id: own[0] } })));
  });

  it("answers with the caller's access as it is now, on the very next request after it changed", async () => {
    const token = await gateway.token("no-assistant-tm");
    const query = "{ transactions(first: 5) { totalCount nodes { id } } }";
    const count = (answer: Answer) => (JSON.parse(answer.body) as { data: { transactions: { totalCount: number } } }).data.transactions.totalCount;
    await post(gateway, token, { query });
    const before = await pathOf(gateway, () => post(gateway, token, { query }));
    expect(before.path).toBe("lane");
    expect(count(before.answer)).toBeGreaterThan(0);
    const viewer = await gateway.graphql<{ viewer: { memberships: { id: string }[] } }>(token, "{ viewer { memberships { id } } }");
    const removed = await gateway.graphql<{ removeUser: { __typename: string } }>(
      await gateway.token("no-admin"),
      "mutation($input: RemoveUserInput!) { removeUser(input: $input) { __typename } }",
      { input: { membershipId: viewer.data!.viewer.memberships[0]!.id } },
    );
    expect(removed.data?.removeUser.__typename).toBe("MutationRemoveUserSuccess");
    const after = await pathOf(gateway, () => post(gateway, token, { query }));
    expect(after.path).toBe("lane");
    expect(count(after.answer)).toBe(0);
  });

  it("refuses a page size from a variable over the cost limit, and a NUL in a variable, as Yoga does", async () => {
    const token = await gateway.token("no-admin");
    const query = "query($n: Int, $f: TransactionFilter) { transactions(first: $n, filter: $f) { nodes { id operations { type } salesUnit { name } } } }";
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 3 } }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 4 } }))).path).toBe("lane");

    const costly = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 1_000_000 } }));
    expect(costly.path).toBe("yoga");
    expect(codeOf(costly.answer)).toBe("QUERY_TOO_COSTLY");
    expect(parsed(costly.answer)).toEqual(parsed(await post(resolvers, token, { query, variables: { n: 1_000_000 } })));

    const nul = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 3, f: { search: "a\u0000b" } } }));
    expect(nul.path).toBe("yoga");
    expect(codeOf(nul.answer)).toBe("BAD_USER_INPUT");
    expect(parsed(nul.answer)).toEqual(parsed(await post(resolvers, token, { query, variables: { n: 3, f: { search: "a\u0000b" } } })));

    // Nested thousands of levels deep: refused as input, not a stack overflow answered 500.
    const deep = `{"query":${JSON.stringify(query)},"variables":{"n":3,"f":${"[".repeat(6_000)}"x"${"]".repeat(6_000)}}}`;
    const nested = await pathOf(gateway, () => post(gateway, token, deep));
    expect(nested.answer.status).toBe(200);
    expect(codeOf(nested.answer)).toBe("BAD_USER_INPUT");
    expect(nested.answer.body).toBe((await post(resolvers, token, deep)).body);

    // Variables that do not coerce: Yoga's variable error.
    const wrong = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: "three" } }));
    expect(wrong.path).toBe("yoga");
    expect(parsed(wrong.answer)).toEqual(parsed(await post(resolvers, token, { query, variables: { n: "three" } })));
  });

  it("hands anonymous callers, expired tokens and requests it does not read to Yoga", async () => {
    const query = "{ viewer { kind label } }";
    const token = await gateway.token("no-sum");
    expect((await pathOf(gateway, () => post(gateway, token, { query }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query }))).path).toBe("lane");

    const anonymous = await pathOf(gateway, () => post(gateway, null, { query }));
    expect(anonymous.path).toBe("yoga");
    expect(parsed(anonymous.answer)).toEqual(parsed(await post(resolvers, null, { query })));

    const malformed = await pathOf(gateway, () => post(gateway, token, `{"query": ${JSON.stringify(query)}`));
    expect(malformed.path).toBe("yoga");
    expect(parsed(malformed.answer)).toEqual(parsed(await post(resolvers, token, `{"query": ${JSON.stringify(query)}`)));

    const extra = await pathOf(gateway, () => post(gateway, token, { query, other: 1 }));
    expect(extra.path).toBe("yoga");
    expect(parsed(extra.answer)).toEqual(parsed(await post(resolvers, token, { query, other: 1 })));

    const streamed = await pathOf(gateway, () => post(gateway, token, { query }, { accept: "text/event-stream" }));
    expect(streamed.path).toBe("yoga");
  });

  it("hands an answer some object's own scope refuses to the resolvers, running the compiled statement once", async () => {
    const query = "query($id: ID!) { node(id: $id) { id ... on Transaction { amount salesUnit { name } } } }";
    const token = await gateway.token("no-admin");
    const page = await gateway.graphql<{ transactions: { nodes: { id: string }[] } }>(token, "{ transactions(first: 3) { nodes { id } } }");
    const [learnt, tampered] = page.data!.transactions.nodes.map((n) => n.id);
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { id: learnt } }))).path).toBe("yoga");
    // A payment of this merchant booked on another merchant's sales unit: the payment is the caller's to see, its
    // sales unit is not, so the compiled statement marks it and the resolvers refuse that field.
    const client = new pg.Client({ connectionString: gateway.databaseUrl });
    await client.connect();
    try {
      const uuid = Buffer.from(tampered!, "base64").toString("utf8").split(":")[1];
      await client.query(
        `UPDATE "Transaction" t SET "salesUnitId" = (SELECT s.id FROM "SalesUnit" s WHERE s."merchantId" <> t."merchantId" ORDER BY s.id LIMIT 1) WHERE t.id = $1`,
        [uuid],
      );
    } finally {
      await client.end();
    }
    gateway.resetQueries();
    const refused = await pathOf(gateway, () => post(gateway, token, { query, variables: { id: tampered } }));
    expect(refused.path).toBe("yoga");
    expect(gateway.queries.filter((q) => q.startsWith(COMPILED_STATEMENT))).toHaveLength(1);
    expect(codeOf(refused.answer)).toBe("FORBIDDEN");
    expect(parsed(refused.answer)).toEqual(parsed(await post(resolvers, token, { query, variables: { id: tampered } })));
  });

  it("refuses a token once it has expired, though its principal was cached", async () => {
    const query = "{ viewer { kind label memberships { role } } }";
    const valid = decodeJwt(await gateway.token("no-assistant"));
    const signer = gateway.services.tokens as unknown as { keys: { current: { kid: string; privateKey: CryptoKey } } };
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + 2;
    const token = await new SignJWT({ kind: "user", amr: valid.amr })
      .setProtectedHeader({ alg: "ES256", kid: signer.keys.current.kid })
      .setSubject(valid.sub!)
      .setIssuer("urn:portal-gateway")
      .setAudience("portal-gateway")
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(expiresAt)
      .sign(signer.keys.current.privateKey);
    expect((await pathOf(gateway, () => post(gateway, token, { query }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query }))).path).toBe("lane");
    // Past the expiry and the verifier's 5 s of clock tolerance.
    while (Date.now() < (expiresAt + 6) * 1000) await new Promise((resolve) => setTimeout(resolve, 250));
    const stale = await pathOf(gateway, () => post(gateway, token, { query }));
    expect(stale.path).toBe("yoga");
    expect(codeOf(stale.answer)).toBe("UNAUTHENTICATED");
    expect(parsed(stale.answer)).toEqual(parsed(await post(resolvers, token, { query })));
  });
});

describe("the fast lane and the request budgets", () => {
  let gateway: TestGateway;

  afterAll(async () => {
    await gateway?.stop();
  });

  it("charges the per-principal budget once per request, and refuses a spent one with Yoga's 429", async () => {
    gateway = await startTestGateway({ RATE_LIMIT_PER_MINUTE: "4" });
    const token = await gateway.token("no-admin");
    const query = "query($n: Int) { transactions(first: $n) { nodes { id operations { type } } } }";
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).path).toBe("lane");
    // Charged in the lane, refused by Yoga's cost limit: not charged a second time there.
    expect(codeOf((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 1_000_000 } }))).answer)).toBe("QUERY_TOO_COSTLY");
    const fourth = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }));
    expect(fourth.path).toBe("lane");
    expect(fourth.answer.status).toBe(200);
    const fifth = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }));
    expect(fifth.path).toBe("yoga");
    expect(fifth.answer.status).toBe(429);
    expect(codeOf(fifth.answer)).toBe("RATE_LIMITED");
    expect(fifth.answer.headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("charges the per-address budget once per request, and refuses a spent one as Yoga does", async () => {
    await gateway?.stop();
    gateway = await startTestGateway({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "6" });
    // The login is the address's first request.
    const token = await gateway.token("no-admin");
    const query = "query($n: Int) { transactions(first: $n) { nodes { id } } }";
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).path).toBe("lane");
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 1_000_000 } }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).answer.status).toBe(200);
    expect((await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }))).answer.status).toBe(200);
    const seventh = await pathOf(gateway, () => post(gateway, token, { query, variables: { n: 2 } }));
    expect(seventh.path).toBe("yoga");
    expect(seventh.answer.status).toBe(429);
    expect(JSON.parse(seventh.answer.body)).toMatchObject({ error: "RATE_LIMITED" });
  });
});

describe("money mutations in the fast lane", () => {
  let gateway: TestGateway;
  let resolvers: TestGateway;
  let token: string;
  let shop: string;
  const CAPTURE = `mutation Capture($input: CaptureTransactionInput!) { captureTransaction(input: $input) { __typename
    ... on MutationCaptureTransactionSuccess { data { status amount capturedAmount } } ... on AmountExceededError { code message availableAmount } } }`;

  beforeAll(async () => {
    gateway = await startTestGateway();
    // No compiled reads, so no lane: every request is Yoga's.
    resolvers = await startTestGateway({ COMPILED_READS: "false" }, { sharing: gateway });
    token = await gateway.token("no-admin");
    shop = (await unitByName(gateway, "Fjordkaffe Test Nettbutikk")).globalId;
  });
  afterAll(async () => {
    await resolvers?.stop();
    await gateway?.stop();
  });

  async function reserved(amount: number): Promise<string> {
    const request = await requestPayment(gateway, token, shop, amount);
    succeeded(await mutate(gateway, token, "simulateCustomerAction", { transactionId: request.id, action: "APPROVE" }));
    return request.id;
  }
  const capture = (on: TestGateway, transactionId: string, amount: unknown, headers: Record<string, string> = {}, query = CAPTURE) =>
    post(on, token, { query, operationName: "Capture", variables: { input: { transactionId, amount, idempotencyKey: key() } } }, headers);
  /** The statements that read a payment for a change, and that write one. */
  const moneyStatements = (gateway: TestGateway) => ({
    reads: gateway.queries.filter((q) => q.startsWith("SELECT t.*")).length,
    writes: gateway.queries.filter((q) => q.includes('INSERT INTO "OutboxEvent"')).length,
  });
  const capturedOf = async (id: string) => (await gateway.services.db.transaction.findUniqueOrThrow({ where: { id: uuidOf(id) } })).capturedAmount;

  it("answers a capture once Yoga has executed its document, with Yoga's status, headers and body, in the same two statements", async () => {
    const variants: Record<string, string>[] = [{}, { origin: "https://portal.example", accept: "application/graphql-response+json" }];
    for (const headers of variants) {
      // Another text per variant: each one goes through Yoga first.
      const query = "origin" in headers ? `${CAPTURE} ` : CAPTURE;
      const [first, second] = [await reserved(5_000), await reserved(5_000)];
      const viaYoga = await pathOf(gateway, () => capture(gateway, first, 1_000, headers, query));
      expect(viaYoga.path).toBe("yoga");
      gateway.resetQueries();
      const viaLane = await pathOf(gateway, () => capture(gateway, second, 1_000, headers, query));
      expect(viaLane.path).toBe("lane");
      expect(viaLane.answer).toEqual(viaYoga.answer);
      expect(JSON.parse(viaLane.answer.body)).toEqual({ data: { captureTransaction: { __typename: "MutationCaptureTransactionSuccess", data: { status: "CAPTURED", amount: 5_000, capturedAmount: 1_000 } } } });
      expect(moneyStatements(gateway)).toEqual({ reads: 1, writes: 1 });
      expect(await capturedOf(second)).toBe(1_000);
    }
  });

  it("answers a typed refusal itself, as Yoga answers it, and changes nothing", async () => {
    const id = await reserved(5_000);
    await capture(gateway, id, 1, {});
    const refused = await pathOf(gateway, () => capture(gateway, id, 9_000));
    expect(refused.path).toBe("lane");
    expect(refused.answer).toEqual(await capture(resolvers, id, 9_000));
    expect(JSON.parse(refused.answer.body).data.captureTransaction).toMatchObject({ __typename: "AmountExceededError", availableAmount: 4_999 });
    expect(await capturedOf(id)).toBe(1);
  });

  it("hands a result with errors to Yoga, which answers it as its own without executing the mutation again", async () => {
    const theirs = (await gateway.graphql<{ transactions: { nodes: { id: string }[] } }>(await gateway.token("dk-admin"), "{ transactions(first: 1) { nodes { id } } }")).data!
      .transactions.nodes[0]!.id;
    await capture(gateway, await reserved(5_000), 1);
    const handedOn = gateway.fastLane!.counts.handedOn;
    gateway.resetQueries();
    const forbidden = await pathOf(gateway, () => capture(gateway, theirs, 1));
    expect(forbidden.path).toBe("yoga");
    expect(gateway.fastLane!.counts.handedOn).toBe(handedOn + 1);
    expect(codeOf(forbidden.answer)).toBe("FORBIDDEN");
    expect(parsed(forbidden.answer)).toEqual(parsed(await capture(resolvers, theirs, 1)));
    // The lane's permission check read the payment once; Yoga answered with that execution's result.
    expect(moneyStatements(gateway)).toEqual({ reads: 1, writes: 0 });
  });

  it("leaves variables that do not coerce to Yoga, before anything runs", async () => {
    const id = await reserved(5_000);
    await capture(gateway, id, 1);
    gateway.resetQueries();
    const malformed = await pathOf(gateway, () => capture(gateway, id, "a lot"));
    expect(malformed.path).toBe("yoga");
    expect(parsed(malformed.answer)).toEqual(parsed(await capture(resolvers, id, "a lot")));
    expect(moneyStatements(gateway)).toEqual({ reads: 0, writes: 0 });
    expect(await capturedOf(id)).toBe(1);
  });
});

describe("the fast lane's table of documents", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_PER_MINUTE: "100000", RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000" });
  });
  afterAll(async () => gateway?.stop());

  it("forgets the least recently answered document when full, so one caller's flood of documents keeps nobody else's out", async () => {
    const screen = "{ transactions(first: 3) { nodes { id amount status } } }";
    const admin = await gateway.token("no-admin");
    expect((await pathOf(gateway, () => post(gateway, admin, { query: screen }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, admin, { query: screen }))).path).toBe("lane");
    const filler = await gateway.token("applicant");
    for (let i = 0; i < MAX_KNOWN_DOCUMENTS; i++) {
      const { status } = await post(gateway, filler, { query: `{ viewer { kind } } # ${i}` });
      expect(status).toBe(200);
    }
    // The screen was the least recently answered: forgotten, learned again on its next request, then in the lane.
    expect((await pathOf(gateway, () => post(gateway, admin, { query: screen }))).path).toBe("yoga");
    expect((await pathOf(gateway, () => post(gateway, admin, { query: screen }))).path).toBe("lane");
    // Answered since, it outlives the filler's newer documents.
    for (let i = 0; i < MAX_KNOWN_DOCUMENTS / 2; i++) await post(gateway, filler, { query: `{ viewer { label } } # ${i}` });
    expect((await pathOf(gateway, () => post(gateway, admin, { query: screen }))).path).toBe("lane");
  });
});

/**
 * Request budgets through the real server: per principal, per client address (other loopback addresses stand in
 * for other clients), brute-force protection on the token endpoints, and budgets shared through Redis.
 */
import { request as httpRequest } from "node:http";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request from a chosen loopback address, so a test can be two clients at once. */
function send(baseUrl: string, path: string, options: { from?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: options.method ?? "GET", headers: options.headers, localAddress: options.from ?? "127.0.0.1" },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const graphql = (gateway: TestGateway, token: string, query: string, from?: string) =>
  send(gateway.url, "/graphql", { from, method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });

describe("per-principal budget", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_PER_MINUTE: "5" });
  });
  afterAll(async () => gateway?.stop());

  it("answers 429 with Retry-After once a principal has spent its operations, while another principal goes on", async () => {
    const admin = await gateway.token("no-admin");
    for (let i = 0; i < 5; i++) expect((await graphql(gateway, admin, "{ viewer { kind } }")).status).toBe(200);
    const refused = await graphql(gateway, admin, "{ viewer { kind } }");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe("RATE_LIMITED");
    expect((await graphql(gateway, await gateway.token("no-sum"), "{ viewer { kind } }")).status).toBe(200);
  });
});

describe("per-address budget", () => {
  let gateway: TestGateway;
  let admin: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "8" });
    admin = await gateway.token("no-admin");
  });
  afterAll(async () => gateway?.stop());

  it("refuses a flooding address with 429 before any work, while another address and the health probes are served", async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(gateway.url, "/graphql?query=%7B__typename%7D", { from: "127.0.0.3" })));
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(4);
    expect(answers.find((a) => a.status === 429)?.headers["retry-after"]).toBeDefined();
    expect((await graphql(gateway, admin, "{ viewer { kind } }", "127.0.0.4")).status).toBe(200);
    expect((await send(gateway.url, "/healthz", { from: "127.0.0.3" })).status).toBe(200);
    expect((await send(gateway.url, "/readyz", { from: "127.0.0.3" })).status).toBe(200);
  });
});

describe("token endpoint brute-force protection", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ LOGIN_FAILURE_LIMIT: "3" });
  });
  afterAll(async () => gateway?.stop());

  const tokenRequest = (headers: Record<string, string>, from: string) => send(gateway.url, "/accesstoken/get", { method: "POST", headers, from });

  it("refuses an address with 429 after repeated wrong secrets, even with the right ones, while another address gets its token", async () => {
    const partner = gateway.persona("partner");
    const wrong = { client_id: partner.clientId!, client_secret: "guess", "Ocp-Apim-Subscription-Key": partner.subscriptionKey! };
    const right = { ...wrong, client_secret: partner.clientSecret! };
    for (let i = 0; i < 3; i++) expect((await tokenRequest(wrong, "127.0.0.5")).status).toBe(401);
    const refused = await tokenRequest(right, "127.0.0.5");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect((await tokenRequest(right, "127.0.0.6")).status).toBe(200);
  });

  it("does not lock a partner out when wrong secrets for its client_id, which is not secret, come from many addresses", async () => {
    const partner = gateway.persona("partner");
    const wrong = { client_id: partner.clientId!, client_secret: "guess", "Ocp-Apim-Subscription-Key": partner.subscriptionKey! };
    for (let address = 20; address < 32; address++) {
      for (let i = 0; i < 3; i++) expect((await tokenRequest(wrong, `127.0.0.${address}`)).status).toBe(401);
    }
    expect((await tokenRequest({ ...wrong, client_secret: partner.clientSecret! }, "127.0.0.40")).status).toBe(200);
  });

  it("throttles failed development logins the same way", async () => {
    const login = (nin: string) => send(gateway.url, "/auth/dev/login", { method: "POST", from: "127.0.0.7", headers: { "content-type": "application/json" }, body: JSON.stringify({ nin, method: "BANKID_NO" }) });
    for (let i = 0; i < 3; i++) expect((await login("01010112345")).status).toBe(404);
    expect((await login(gateway.persona("no-admin").nin!)).status).toBe(429);
  });

  it("reads the same tables for an unknown client_id as for a known one, so timing does not tell which exists", async () => {
    const partner = gateway.persona("partner");
    const attempt = async (clientId: string) => {
      gateway.resetQueries();
      await tokenRequest({ client_id: clientId, client_secret: "guess", "Ocp-Apim-Subscription-Key": "not-the-key" }, "127.0.0.8");
      return gateway.queries.length;
    };
    const known = await attempt(partner.clientId!);
    expect(known).toBeGreaterThan(0);
    expect(await attempt("0b7e6a8e-3f41-4c55-9a39-4a2b7f0c1d2e")).toBe(known);
    expect(await attempt("not-a-uuid")).toBe(known);
  });
});

describe("public payment-link budget", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ PUBLIC_PAYMENTS_PER_MINUTE: "2" });
  });
  afterAll(async () => gateway?.stop());

  it("refuses a third payment attempt a minute from one address with 429, while another address may pay", async () => {
    const pay = async (from: string) => {
      const query = `mutation { payPaymentLink(input: { slug: "no-such-link", phoneNumber: "+4791234567" }) { __typename } }`;
      const answer = await send(gateway.url, "/graphql", { from, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
      return { status: answer.status, body: JSON.parse(answer.body) as { data?: { payPaymentLink: { __typename: string } }; errors?: { extensions: { code: string } }[] } };
    };
    for (let i = 0; i < 2; i++) expect((await pay("127.0.0.9")).body.data?.payPaymentLink.__typename).toBe("NotFoundError");
    const refused = await pay("127.0.0.9");
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions.code).toBe("RATE_LIMITED");
    expect((await pay("127.0.0.10")).body.data?.payPaymentLink.__typename).toBe("NotFoundError");
  });
});

describe("budgets shared through Redis", () => {
  const prefix = `limits-test-${randomBytes(4).toString("hex")}`;
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    first = await startTestGateway({ REDIS_URL, REDIS_CHANNEL_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: "4" });
    second = await startTestGateway({ REDIS_URL, REDIS_CHANNEL_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: "4" }, { sharing: first });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it("counts one principal's operations on every instance together", async () => {
    const admin = await first.token("no-admin");
    for (let i = 0; i < 2; i++) expect((await graphql(first, admin, "{ viewer { kind } }")).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await graphql(second, admin, "{ viewer { kind } }")).status).toBe(200);
    expect((await graphql(first, admin, "{ viewer { kind } }")).status).toBe(429);
    expect((await graphql(second, admin, "{ viewer { kind } }")).status).toBe(429);
  });
});

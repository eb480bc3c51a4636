/** The HTTP surface beside GraphQL, and the limits every operation goes through. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.stop());

describe("HTTP endpoints", () => {
  it("publishes the public signing keys without private parts", async () => {
    const jwks = (await (await fetch(`${gateway.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key.kty).toBe("EC");
      expect(key.d).toBeUndefined();
    }
  });

  it("serves GraphiQL to a browser", async () => {
    const response = await fetch(`${gateway.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Portal Gateway");
  });

  it("answers GET queries", async () => {
    const response = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent("{ viewer { kind } }")}`, { headers: { accept: "application/json" } });
    expect(await response.json()).toEqual({ data: { viewer: null } });
  });
});

describe("operation limits", () => {
  it("refuses a query nested deeper than MAX_QUERY_DEPTH", async () => {
    const token = await gateway.login("no-admin");
    const deep = "{ transactions(first: 1) { nodes { salesUnit { merchant { salesUnits(first: 1) { nodes { merchant { salesUnits(first: 1) { nodes { merchant { salesUnits(first: 1) { nodes { merchant { name } } } } } } } } } } } } } }";
    const response = await gateway.graphql(token, deep);
    expect(response.errors?.[0]?.message).toMatch(/depth/i);
    expect(response.data).toBeUndefined();
  });
});

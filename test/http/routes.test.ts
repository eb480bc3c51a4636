/** The plain HTTP routes' error answers: what a client sees when a handler fails, without a server of its own. */
import { createSchema, createYoga } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { routesPlugin } from "../../src/http/routes";

function serve(handler: () => never) {
  const yoga = createYoga({ schema: createSchema({ typeDefs: "type Query { ok: Boolean }" }), plugins: [routesPlugin({ "GET /x": handler })], logging: false });
  return yoga.fetch("http://localhost/x");
}

describe("plain routes", () => {
  it("answer 503 SERVICE_UNAVAILABLE with retry-after while the database is unreachable, as GraphQL does", async () => {
    const response = await serve(() => {
      throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({ error: "SERVICE_UNAVAILABLE", message: expect.stringContaining("try again") });
  });
});

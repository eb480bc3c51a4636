/** The plain HTTP routes' error answers: what a client sees when a handler fails, without a server of its own. */
import { createSchema, createYoga } from "graphql-yoga";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/auth/errors";
import { loadConfig } from "../../src/config";
import { isDatabaseUnavailable } from "../../src/db/errors";
import type { Services } from "../../src/deps";
import { readiness } from "../../src/http/health";
import { coreRoutes, routesPlugin } from "../../src/http/routes";
import { createRateLimits, RateLimitedError } from "../../src/limits/rate-limits";

function serve(handler: (request: Request, url: URL, params: Record<string, string>) => Response | Promise<Response>, path = "/x", logged: unknown[] = [], method = "GET") {
  const logger = pino({ level: "error" }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const yoga = createYoga({
    schema: createSchema({ typeDefs: "type Query { ok: Boolean }" }),
    plugins: [routesPlugin({ "GET /x": handler, "GET /x/:id": handler }, logger)],
    logging: false,
  });
  return yoga.fetch(`http://localhost${path}`, { method });
}

describe("plain routes", () => {
  it("answer an error no route turned into an answer with a bare 500, logged, never the error's message or stack", async () => {
    const logged: unknown[] = [];
    const response = await serve(
      () => {
        throw new Error("Invalid `deps.db.paymentLink.findUnique()` invocation in /srv/portal/src/services/payment-links.ts:118:42");
      },
      "/x",
      logged,
    );
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: "INTERNAL_SERVER_ERROR", message: expect.stringContaining("try again") });
    expect(body).not.toMatch(/findUnique|payment-links\.ts|at /);
    expect(logged).toEqual([expect.objectContaining({ msg: "An HTTP route failed", path: "/x" })]);
  });

  it("take no path parameter with control characters: such a path names nothing", async () => {
    let reached = 0;
    const handler = () => {
      reached++;
      return new Response("found");
    };
    expect((await serve(handler, "/x/a%00b")).status).toBe(404);
    expect((await serve(handler, "/x/a%0Ab")).status).toBe(404);
    expect(reached).toBe(0);
    expect((await serve(handler, "/x/ab")).status).toBe(200);
  });

  it("answer HEAD as GET without the body, stopping a streamed one", async () => {
    let cancelled = false;
    const body = new ReadableStream({
      pull: (controller) => controller.enqueue(new TextEncoder().encode("x")),
      cancel: () => {
        cancelled = true;
      },
    });
    const response = await serve(() => new Response(body, { headers: { "content-type": "text/plain", "x-probe": "1" } }), "/x/ab", [], "HEAD");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-probe")).toBe("1");
    expect(await response.text()).toBe("");
    expect(cancelled).toBe(true);
  });

  it("answer a method a path is not served with 405 and the methods it is, leaving OPTIONS (CORS preflight) to Yoga", async () => {
    const handler = () => new Response("found");
    const response = await serve(handler, "/x/ab", [], "DELETE");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(await response.json()).toEqual({ error: "METHOD_NOT_ALLOWED", message: "DELETE is not served here: use GET or HEAD." });
    expect((await serve(handler, "/x/ab", [], "OPTIONS")).status).not.toBe(405);
    expect((await serve(handler, "/nothing", [], "DELETE")).status).toBe(404);
  });

  it("answer 503 SERVICE_UNAVAILABLE with retry-after while the database is unreachable, as GraphQL does", async () => {
    const response = await serve(() => {
      throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({ error: "SERVICE_UNAVAILABLE", message: expect.stringContaining("try again") });
  });
});

describe("the token endpoint's brute-force budget", () => {
  it("counts refused credentials, not answers that are the gateway's own trouble: an outage locks nobody out once the database is back", async () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://unused@127.0.0.1/unused" });
    let down = true;
    const unreachable = () => Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });
    // Every model method: refused while the database is down, then "no such row".
    const model = new Proxy({}, { get: () => async () => (down ? Promise.reject(unreachable()) : null) });
    const db = new Proxy({}, { get: () => model });
    const services = { db, tokens: { issue: async () => "token" }, encryptionKey: Buffer.alloc(32), config, limits: createRateLimits(config) } as unknown as Services;
    const handler = coreRoutes(services)["POST /accesstoken/get"]!;
    const attempt = async () => {
      const request = new Request("http://gateway/accesstoken/get", {
        method: "POST",
        headers: { client_id: "11111111-1111-4111-8111-111111111111", client_secret: "wrong", "ocp-apim-subscription-key": "key" },
      });
      try {
        const client = { address: "203.0.113.7", streamResponse: () => Response.error(), cutShort: () => undefined };
        return (await handler(request, new URL(request.url), {}, client)).status;
      } catch (error) {
        return isDatabaseUnavailable(error) ? 503 : error instanceof RateLimitedError ? 429 : error instanceof AuthenticationError ? 401 : 500;
      }
    };
    for (let i = 0; i < 30; i++) expect(await attempt()).toBe(503);
    down = false;
    expect(await attempt()).toBe(401);
    // Wrong secrets still spend the budget.
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await attempt());
    expect(answers).toContain(429);
  });
});

describe("readiness", () => {
  it("names no host, port or user of the database in its public reasons", async () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://unused@127.0.0.1/unused" });
    const refusing = (error: Error) => ({ $queryRaw: () => Promise.reject(error) }) as unknown as Services["db"];
    const events = { bus: { connected: true } } as unknown as Services["events"];
    const unreachable = Object.assign(new Error("Raw query failed. Can't reach database server at db.internal.example:5432"), { code: "P1001" });
    const refused = new Error('password authentication failed for user "portal_admin"');
    for (const [error, reason] of [
      [unreachable, "the database is unavailable"],
      [refused, "the database check failed"],
    ] as const) {
      const { ready, checks } = await readiness({ db: refusing(error), config, events });
      expect(ready).toBe(false);
      expect(checks.database).toEqual({ ok: false, reason });
      expect(JSON.stringify(checks)).not.toMatch(/internal|5432|portal_admin/);
    }
  });
});

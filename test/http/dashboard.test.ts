/**
 * Serving the dashboard: its files under /dashboard with the right types and caching, the single-page fallback
 * for the app's own routes, no way out of the build folder, and the persona list of the development login.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_DIST, dashboardFile, dashboardIsFresh, ensureDashboardBuilt } from "../../src/http/dashboard";
import { projectRoot } from "../../src/config";
import { startTestGateway, type TestGateway } from "../support/gateway";

describe("GET /dashboard", () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    await ensureDashboardBuilt(() => {});
    gateway = await startTestGateway({ PERSONAS_PATH: path.join(projectRoot, "test", "support", "no-such-personas.json") });
  }, 300_000);
  afterAll(() => gateway?.stop());

  it("is built from the current sources, and a later start does not build it again", async () => {
    // The build hashes its inputs before it runs: were codegen to rewrite one of them, every start would build anew.
    expect(dashboardIsFresh()).toBe(true);
    expect(await ensureDashboardBuilt(() => {})).toBe("fresh");
  });

  it("answers the app's page with a same-origin Content-Security-Policy, uncached", async () => {
    for (const route of ["/dashboard", "/dashboard/"]) {
      const response = await fetch(`${gateway.url}${route}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await response.text()).toContain('<div id="app">');
    }
  });

  it("answers the app's own routes with its page, so a reload keeps the screen", async () => {
    const index = await (await fetch(`${gateway.url}/dashboard/`)).text();
    for (const route of ["/dashboard/transactions", "/dashboard/transactions/VHJhbnNhY3Rpb246MQ", "/dashboard/sales-units"]) {
      const response = await fetch(`${gateway.url}${route}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(index);
    }
  });

  it("serves the hashed assets with their types, cached for good; a missing asset is a 404", async () => {
    const script = readdirSync(path.join(DASHBOARD_DIST, "assets")).find((f) => f.endsWith(".js"))!;
    const response = await fetch(`${gateway.url}/dashboard/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${gateway.url}/dashboard/assets/missing-0000.js`)).status).toBe(404);
  });

  it("never serves a file outside the build folder", async () => {
    expect(dashboardFile(["..", "package.json"])).toBeNull();
    expect(dashboardFile(["assets", "..", "..", "vite.config.ts"])).toBeNull();
    expect(dashboardFile([".inputs-hash"])).toBeNull();
    // A segment arrives URL-decoded: `x%2F..%2F..` is one segment that holds separators.
    expect(dashboardFile(["x/../../package.json"])).toBeNull();
    expect(dashboardFile(["assets", "x/../../../../etc/hostname"])).toBeNull();
    expect(dashboardFile(["assets", "index.js"])).toBe(path.join(DASHBOARD_DIST, "assets", "index.js"));
    for (const route of [
      "/dashboard/..%2F..%2Fpackage.json",
      "/dashboard/%2E%2E/package.json",
      "/dashboard/.inputs-hash",
      "/dashboard/x%2F..%2F..%2Fpackage.json",
      "/dashboard/assets/x%2F..%2F..%2F..%2Fpackage.json",
      "/dashboard/x%5C..%5C..%5Cpackage.json",
    ]) {
      const response = await fetch(`${gateway.url}${route}`);
      expect(response.status, route).toBe(404);
      expect(await response.text()).not.toContain('"portal-gateway"');
    }
  });
});

describe("GET /auth/dev/personas", () => {
  let gateway: TestGateway;
  let closed: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ PERSONAS_PATH: path.join(projectRoot, "test", "support", "personas-fixture.json") });
    closed = await startTestGateway({ DEV_LOGIN: "false" });
  }, 120_000);
  afterAll(async () => {
    await closed?.stop();
    await gateway?.stop();
  });

  it("lists the personas that can use the development login, without partner secrets", async () => {
    const response = await fetch(`${gateway.url}/auth/dev/personas`);
    expect(response.status).toBe(200);
    const personas = (await response.json()) as Record<string, unknown>[];
    expect(personas.map((p) => p.key)).toEqual(["no-admin", "operator"]);
    expect(personas[0]).toEqual({ key: "no-admin", description: "Administrator", name: "Ingrid Fjeld", nin: "14038112345", method: "BANKID_NO" });
    expect(JSON.stringify(personas)).not.toContain("secret");
  });

  it("does not exist without the development login", async () => {
    expect((await fetch(`${closed.url}/auth/dev/personas`)).status).toBe(404);
  });
});

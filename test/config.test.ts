import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES, loadConfig, projectRoot } from "../src/config";

describe("configuration", () => {
  it("needs the external issuer and audience together with an external key set", () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: "https://broker.example/jwks" })).toThrow(/AUTH_ISSUER and AUTH_AUDIENCE/);
    expect(loadConfig({ AUTH_JWKS_URL: "https://broker.example/jwks", AUTH_ISSUER: "https://broker.example", AUTH_AUDIENCE: "portal" }).externalAuth).toMatchObject({
      issuer: "https://broker.example",
      audience: "portal",
    });
  });

  it("refuses production without a database, an encryption key, or with the development login", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://db/x" })).toThrow(/ENCRYPTION_KEY/);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://db/x", ENCRYPTION_KEY: "k", DEV_LOGIN: "true", PUBLIC_BASE_URL: "https://x.example" })).toThrow(/DEV_LOGIN/);
  });

  it("turns the development login on only with the embedded database by default", () => {
    expect(loadConfig({}).devLogin).toBe(true);
    expect(loadConfig({ DATABASE_URL: "postgres://db/x" }).devLogin).toBe(false);
  });

  it("builds the dashboard at start outside production unless told not to", () => {
    expect(loadConfig({}).dashboardAutoBuild).toBe(true);
    expect(loadConfig({ DASHBOARD_AUTO_BUILD: "false" }).dashboardAutoBuild).toBe(false);
    const production = { NODE_ENV: "production", DATABASE_URL: "postgres://db/x", ENCRYPTION_KEY: "k", PUBLIC_BASE_URL: "https://x.example" };
    expect(loadConfig(production).dashboardAutoBuild).toBe(false);
  });

  it("is listed in the README, every variable the gateway reads and none it does not", () => {
    const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Configuration\n"), readme.indexOf("\n## ", readme.indexOf("\n## Configuration\n") + 1));
    const rows = section.split("\n").filter((line) => line.startsWith("| `"));
    const listed = rows.flatMap((row) => [...row.split(" | ")[0]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
    // Tests and benchmarks read a few of their own, marked as theirs in the table.
    const toolsOnly = rows.filter((row) => /\| (tests|benchmarks)( and [^|]*)? only/.test(row)).flatMap((row) => [...row.split(" | ")[0]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
    expect(ENVIRONMENT_VARIABLES.filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => !ENVIRONMENT_VARIABLES.includes(name) && !toolsOnly.includes(name))).toEqual([]);
  });
});

/**
 * The import boundaries of biome.jsonc hold: files that cross one are refused by `biome lint`, with the rule's own
 * message, and files that stay inside pass. The files are written into a scratch copy of the layout (under
 * test-results/) with the project's biome.jsonc, so the real tree is never touched.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/config";

const scratchRoot = path.join(projectRoot, "test-results");
mkdirSync(scratchRoot, { recursive: true });
const scratch = mkdtempSync(path.join(scratchRoot, "boundaries-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The modules the probes import, so every import resolves. */
const TARGETS: Record<string, string> = {
  "src/config.ts": "export const config = 1;",
  "src/context.ts": "export const context = 1;",
  "src/schema/index.ts": "export const schema = 1;",
  "src/http/routes.ts": "export const routes = 1;",
  "src/auth/policies/who.ts": "export const who = 1;",
  "src/domain/money.ts": "export const money = 1;",
};

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}

/** Lints one probe file importing `specifier` as `name`; answers the boundary diagnostics for it. */
function lintProbe(file: string, specifier: string, name: string): Diagnostic[] {
  const dir = mkdtempSync(path.join(scratch, "probe-"));
  copyFileSync(path.join(projectRoot, "biome.jsonc"), path.join(dir, "biome.jsonc"));
  for (const [target, text] of Object.entries({ ...TARGETS, [file]: `import { ${name} } from "${specifier}";\nexport const probe = ${name};\n` })) {
    mkdirSync(path.dirname(path.join(dir, target)), { recursive: true });
    writeFileSync(path.join(dir, target), text);
  }
  const run = spawnSync(path.join(projectRoot, "node_modules", ".bin", "biome"), ["lint", "--vcs-enabled=false", "--reporter=json", "src"], { cwd: dir, encoding: "utf8" });
  const json = run.stdout.split("\n").find((line) => line.startsWith("{"));
  if (!json) throw new Error(`biome answered no report: ${run.stderr}`);
  const report = JSON.parse(json) as { diagnostics: Diagnostic[] };
  return report.diagnostics.filter((d) => d.category === "lint/style/noRestrictedImports" && d.location.path.endsWith(file));
}

describe("import boundaries (biome.jsonc)", () => {
  it("refuses src/domain importing anything else of the project", { timeout: 60_000 }, () => {
    const [diagnostic] = lintProbe("src/domain/probe.ts", "../config", "config");
    expect(diagnostic?.message).toContain("src/domain holds pure rules");
    expect(lintProbe("src/domain/probe.ts", "./money", "money")).toEqual([]);
  });

  it("refuses services importing the schema, the HTTP routes or the GraphQL context", { timeout: 60_000 }, () => {
    expect(lintProbe("src/services/probe.ts", "../schema", "schema")[0]?.message).toContain("Services know callers, not transports");
    expect(lintProbe("src/services/probe.ts", "../http/routes", "routes")[0]?.message).toContain("Services know callers, not transports");
    expect(lintProbe("src/services/probe.ts", "../context", "context")[0]?.message).toContain("never the GraphQL request context");
    expect(lintProbe("src/services/probe.ts", "../auth/policies/who", "who")).toEqual([]);
  });

  it("refuses plain HTTP routes importing the GraphQL context or schema", { timeout: 60_000 }, () => {
    expect(lintProbe("src/http/probe.ts", "../context", "context")[0]?.message).toContain("ask the policies");
    expect(lintProbe("src/http/probe.ts", "../schema", "schema")[0]?.message).toContain("ask the policies");
    expect(lintProbe("src/http/probe.ts", "../auth/policies/who", "who")).toEqual([]);
  });
});

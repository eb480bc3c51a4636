/**
 * The import boundaries of biome.jsonc hold: files that cross one are refused by `biome lint`, with the rule's own
 * message, and files that stay inside pass; so is a module cycle in src/, also one through type imports. The files are written into a scratch copy of the layout (under
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

/** Lints the probe files (beside TARGETS) in a scratch copy; answers the diagnostics of `category` in `file`. */
function lintFiles(files: Record<string, string>, file: string, category: string): Diagnostic[] {
  const dir = mkdtempSync(path.join(scratch, "probe-"));
  copyFileSync(path.join(projectRoot, "biome.jsonc"), path.join(dir, "biome.jsonc"));
  for (const [target, text] of Object.entries({ ...TARGETS, ...files })) {
    mkdirSync(path.dirname(path.join(dir, target)), { recursive: true });
    writeFileSync(path.join(dir, target), text);
  }
  const run = spawnSync(path.join(projectRoot, "node_modules", ".bin", "biome"), ["lint", "--vcs-enabled=false", "--reporter=json", "src"], { cwd: dir, encoding: "utf8" });
  const json = run.stdout.split("\n").find((line) => line.startsWith("{"));
  if (!json) throw new Error(`biome answered no report: ${run.stderr}`);
  const report = JSON.parse(json) as { diagnostics: Diagnostic[] };
  return report.diagnostics.filter((d) => d.category === category && d.location.path.endsWith(file));
}

/** Lints one probe file importing `specifier` as `name`; answers its import-boundary diagnostics. */
function lintProbe(file: string, specifier: string, name: string): Diagnostic[] {
  return lintFiles({ [file]: `import { ${name} } from "${specifier}";\nexport const probe = ${name};\n` }, file, "lint/style/noRestrictedImports");
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

  it("refuses an import cycle anywhere in src, even one through types only", { timeout: 60_000 }, () => {
    const cycle = {
      "src/events/a.ts": 'import type { B } from "./b";\nexport type A = { b?: B };\n',
      "src/events/b.ts": 'import type { A } from "./a";\nexport type B = { a?: A };\n',
    };
    expect(lintFiles(cycle, "src/events/a.ts", "lint/suspicious/noImportCycles").length).toBeGreaterThan(0);
    const oneWay = { ...cycle, "src/events/b.ts": "export type B = { n: number };\n" };
    expect(lintFiles(oneWay, "src/events/a.ts", "lint/suspicious/noImportCycles")).toEqual([]);
  });
});

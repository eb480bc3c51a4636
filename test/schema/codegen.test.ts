import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "@graphql-codegen/cli";
import { Kind, parse } from "graphql";
import ts from "typescript";
import config from "../../codegen";
import { projectRoot } from "../../src/config";
import { printSchemaSDL } from "../../src/schema";

/** The operations of client/*.graphql, by name. */
function clientOperations(): string[] {
  const dir = path.join(projectRoot, "client");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".graphql"))
    .flatMap((f) => parse(readFileSync(path.join(dir, f), "utf8")).definitions)
    .flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
}

describe("codegen.ts", () => {
  // Inside the project (gitignored), so the generated files resolve their imports from node_modules.
  mkdirSync(path.join(projectRoot, "test-results"), { recursive: true });
  const out = mkdtempSync(path.join(projectRoot, "test-results", "codegen-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("types the client operations against the schema the gateway serves", { timeout: 120_000 }, async () => {
    const served = path.join(out, "served.graphql");
    writeFileSync(served, printSchemaSDL());
    const generates = Object.values(config.generates)[0]!;
    await generate({ ...config, schema: served, generates: { [`${out}/generated/`]: generates } }, true);
    const types = readFileSync(path.join(out, "generated", "graphql.ts"), "utf8");
    for (const name of clientOperations()) expect(types).toContain(`export const ${name}Document`);
    // Portal screens an SPA needs, each typed.
    for (const name of ["Viewer", "SalesUnits", "Transactions", "TransactionDetail", "CaptureTransaction", "CancelTransaction", "RefundTransaction", "MerchantUsers", "SalesUnitApiKeys", "Settlements", "TransactionEvents"]) {
      expect(clientOperations()).toContain(name);
    }
    expect(types).toContain("capturedAmount: number");
    // Mutation results are unions a client narrows by __typename, with each error type's own fields.
    expect(types).toMatch(/__typename: 'AmountExceededError', availableAmount: number/);
  });

  it("compiles the dashboard against the generated client (strict TypeScript, no hand-written server types)", { timeout: 120_000 }, () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(projectRoot, "dashboard", "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    })!;
    // The generated client of the previous test, from the served schema, instead of client/generated/.
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, paths: { "@client/*": [path.join(out, "generated", "*")] } });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(problems).toEqual([]);
    expect(program.getSourceFiles().some((f) => f.fileName.startsWith(out))).toBe(true);
  });
});

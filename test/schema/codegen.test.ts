import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "@graphql-codegen/cli";
import config from "../../codegen";

describe("codegen.ts", () => {
  const out = mkdtempSync(path.join(tmpdir(), "codegen-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("types the client operations against the committed schema", async () => {
    const target = `${out}/`;
    const generates = Object.values(config.generates)[0]!;
    await generate({ ...config, generates: { [target]: generates } }, true);
    const types = readFileSync(path.join(out, "graphql.ts"), "utf8");
    expect(types).toContain("export type TransactionsQuery");
    expect(types).toContain("capturedAmount: number");
  });
});

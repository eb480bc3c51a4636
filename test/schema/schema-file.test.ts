import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config";
import { printSchemaSDL } from "../../src/schema";

describe("schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema:print` after changing the schema)", () => {
    const committed = readFileSync(path.join(projectRoot, "schema.graphql"), "utf8");
    expect(committed).toBe(printSchemaSDL());
  });

  it("keeps the public names clients rely on", () => {
    const sdl = printSchemaSDL();
    for (const name of ["viewer: Viewer", "node(id: ID!): Node", "salesUnit(msn: String!): SalesUnit", "interface Error"]) {
      expect(sdl).toContain(name);
    }
    expect(sdl).toMatch(/transactions\(after: String, before: String, filter: TransactionFilter, first: Int, last: Int\)/);
    expect(sdl).toMatch(/settlements\(after: String, before: String, first: Int, last: Int, salesUnitId: ID!\)/);
  });
});

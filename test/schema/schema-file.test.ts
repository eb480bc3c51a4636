import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config";
import { printSchemaSDL, schema } from "../../src/schema";

describe("schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema:print` after changing the schema)", () => {
    const committed = readFileSync(path.join(projectRoot, "schema.graphql"), "utf8");
    expect(committed).toBe(printSchemaSDL());
  });

  it("keeps the public names clients rely on", () => {
    const sdl = printSchemaSDL();
    for (const name of ["viewer: Viewer", "interface Error"]) {
      expect(sdl).toContain(name);
    }
    // Documented arguments print on lines of their own, so the arguments are read from the schema.
    const args = (field: string) => Object.fromEntries(schema.getQueryType()!.getFields()[field]!.args.map((arg) => [arg.name, String(arg.type)]));
    expect(args("transactions")).toMatchObject({ after: "String", before: "String", filter: "TransactionFilter", first: "Int", last: "Int" });
    expect(args("settlements")).toMatchObject({ after: "String", before: "String", first: "Int", last: "Int", salesUnitId: "ID!" });
    expect(args("salesUnit")).toEqual({ msn: "String!" });
    expect(args("node")).toEqual({ id: "ID!" });
    expect(String(schema.getQueryType()!.getFields().node!.type)).toBe("Node");
    expect(String(schema.getQueryType()!.getFields().salesUnit!.type)).toBe("SalesUnit");
  });
});

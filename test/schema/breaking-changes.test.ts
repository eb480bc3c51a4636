import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config";
import { describeUnmarked, findBaseline, readAllowList, SCHEMA_FILE, unmarkedBreakingChanges } from "../../scripts/schema-breaking-changes";

const baseline = findBaseline(projectRoot);
if (!baseline) {
  console.warn(`schema breaking-change check SKIPPED: no git history with an earlier ${SCHEMA_FILE} (set SCHEMA_BASE_REF or fetch more history).`);
}

describe("schema.graphql against the schema this branch started from", () => {
  it.skipIf(!baseline)("has no breaking change that schema-changes.allowed.json does not mark as intended", () => {
    const current = readFileSync(path.join(projectRoot, SCHEMA_FILE), "utf8");
    const unmarked = unmarkedBreakingChanges(baseline!.sdl, current, readAllowList(projectRoot));
    expect(unmarked, describeUnmarked(unmarked, baseline!)).toEqual([]);
  });
});

describe("the breaking-change check", () => {
  const before = "type Query { settlement: Settlement }\ntype Settlement { grossAmount: Int! net: Int! }";
  const after = "type Query { settlement: Settlement }\ntype Settlement { grossAmount: Int net: Int! }";

  it("finds a non-null field made nullable and accepts it once the allow-list names it with a reason", () => {
    const [change] = unmarkedBreakingChanges(before, after, []);
    expect(change).toMatchObject({ type: "FIELD_CHANGED_KIND", description: "Settlement.grossAmount changed type from Int! to Int." });
    expect(unmarkedBreakingChanges(before, after, [{ type: change!.type, description: change!.description, reason: "Guarded fields are nullable." }])).toEqual([]);
  });

  it("accepts an entry naming the field's coordinate, and only for that field and change type", () => {
    const twoFields = after.replace("net: Int!", "net: Int");
    const allowed = [{ type: "FIELD_CHANGED_KIND", coordinate: "Settlement.grossAmount", reason: "Guarded fields are nullable." }];
    expect(unmarkedBreakingChanges(before, twoFields, allowed)).toMatchObject([{ description: "Settlement.net changed type from Int! to Int." }]);
    expect(unmarkedBreakingChanges(before, after, [{ ...allowed[0]!, type: "FIELD_REMOVED" }])).toHaveLength(1);
  });

  it("finds a removed field, and a new field alone is not breaking", () => {
    expect(unmarkedBreakingChanges(before, "type Query { settlement: Settlement }\ntype Settlement { grossAmount: Int! }", [])).toMatchObject([
      { type: "FIELD_REMOVED", description: "Settlement.net was removed." },
    ]);
    expect(unmarkedBreakingChanges(before, `${before.slice(0, -1)} fee: Int }`, [])).toEqual([]);
  });

  it("keeps every allow-list entry's reason", () => {
    for (const entry of readAllowList(projectRoot)) expect(entry.reason.length).toBeGreaterThan(10);
  });
});

/** Every list of the API tells how long it is: each connection type has `totalCount`. */
import { isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema";

/** Connections without a count, and why. */
const UNCOUNTED: Record<string, string> = {
  QueryEventsConnection: "an append-only history read newest first to resume a feed; counting it would scan the whole outbox",
};

describe("connections", () => {
  it("all have totalCount", () => {
    const connections = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && type.name.endsWith("Connection"));
    expect(connections.length).toBeGreaterThan(10);
    const uncounted = connections.filter((type) => isObjectType(type) && !type.getFields().totalCount).map((type) => type.name);
    expect(uncounted).toEqual(Object.keys(UNCOUNTED));
  });
});

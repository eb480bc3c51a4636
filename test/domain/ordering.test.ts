/** Cutting a page out of a list in an order Prisma cannot express, the way Prisma's cursor paging would. */
import { describe, expect, it } from "vitest";
import { pageOfOrderedIds } from "../../src/domain/ordering";

const IDS = ["a", "b", "c", "d", "e"];

describe("pageOfOrderedIds", () => {
  it("takes the first rows, or the rows after a cursor (skipping the cursor row itself)", () => {
    expect(pageOfOrderedIds(IDS, { take: 3, skip: 0 })).toEqual(["a", "b", "c"]);
    expect(pageOfOrderedIds(IDS, { cursor: { id: "b" }, take: 3, skip: 1 })).toEqual(["c", "d", "e"]);
    expect(pageOfOrderedIds(IDS, { cursor: { id: "d" }, take: 3, skip: 1 })).toEqual(["e"]);
  });

  it("takes the last rows, or the rows before a cursor, in list order", () => {
    expect(pageOfOrderedIds(IDS, { take: -2, skip: 0 })).toEqual(["d", "e"]);
    expect(pageOfOrderedIds(IDS, { cursor: { id: "d" }, take: -2, skip: 1 })).toEqual(["b", "c"]);
    expect(pageOfOrderedIds(IDS, { cursor: { id: "b" }, take: -3, skip: 1 })).toEqual(["a"]);
    expect(pageOfOrderedIds(IDS, { cursor: { id: "a" }, take: -3, skip: 1 })).toEqual([]);
  });

  it("answers an empty page for a cursor no longer in the list, and for a page of zero rows", () => {
    expect(pageOfOrderedIds(IDS, { cursor: { id: "gone" }, take: 3, skip: 1 })).toEqual([]);
    expect(pageOfOrderedIds(IDS, { take: 0, skip: 0 })).toEqual([]);
    expect(pageOfOrderedIds(IDS, { take: -0, skip: 0 })).toEqual([]);
  });
});

/**
 * The cost of an operation (src/limits/cost.ts) as priced before it runs: fragments are priced once per walk, so a
 * chain of fragments that each spread the next twice prices in linear time; a variable left out takes the
 * operation's default, as execution will.
 */
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { operationCost } from "../../src/limits/cost";
import { schema } from "../../src/schema";

/** `query { ...F0 }` with F0 spreading F1 twice, F1 spreading F2 twice, …, the last selecting `leaf`. */
function fragmentChain(length: number, leaf: string): string {
  const fragments = Array.from({ length }, (_, i) => (i === length - 1 ? `fragment F${i} on Query { ${leaf} }` : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`));
  return `query Chain { ...F0 } ${fragments.join(" ")}`;
}

describe("operationCost", () => {
  it("prices a chain of 60 doubling fragments (2^59 spreads, which a walk of every spread would never finish)", () => {
    expect(operationCost(schema, parse(fragmentChain(60, "__typename")), "Chain", {})).toBe(0);
  });

  it("still counts what a fragment loads every time it is spread", () => {
    const once = operationCost(schema, parse(fragmentChain(1, "viewer { id }")), "Chain", {});
    expect(once).toBeGreaterThan(0);
    expect(operationCost(schema, parse(fragmentChain(4, "viewer { id }")), "Chain", {})).toBe(once * 8);
  });

  it("prices a page size a request leaves out at the operation's default for it", () => {
    const document = parse(`query($n: Int = 100) { transactions(first: $n) { nodes { salesUnit { id } } } }`);
    expect(operationCost(schema, document, null, {})).toBe(operationCost(schema, document, null, { n: 100 }));
    expect(operationCost(schema, document, null, {})).toBeGreaterThan(operationCost(schema, document, null, { n: 20 }));
  });

  it("prices nodes(ids:) by its ids, the same written inline or in a variable, and never a later request's ids at an earlier one's price", () => {
    const inline = (n: number) => parse(`{ nodes(ids: [${Array.from({ length: n }, () => '"x"').join(", ")}]) { id } }`);
    expect(operationCost(schema, inline(1000), null, {})).toBeGreaterThan(operationCost(schema, inline(1), null, {}) * 50);
    const document = parse(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`);
    const ids = (n: number) => ({ ids: Array.from({ length: n }, () => "x") });
    expect(operationCost(schema, document, null, ids(1))).toBe(operationCost(schema, inline(1), null, {}));
    expect(operationCost(schema, document, null, ids(1000))).toBe(operationCost(schema, inline(1000), null, {}));
    expect(operationCost(schema, document, null, ids(1))).toBe(operationCost(schema, inline(1), null, {}));
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pick, randomDigits, randomInt } from "../../src/domain/random";

describe("random draws", () => {
  it("keeps integers within both bounds, even for a source that returns 1", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: -50, max: 50 }),
        fc.nat(100),
        (r, min, span) => {
          const value = randomInt(() => r, min, min + span);
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(min);
          expect(value).toBeLessThanOrEqual(min + span);
        },
      ),
    );
  });

  it("reaches both ends of the range", () => {
    expect(randomInt(() => 0, 3, 7)).toBe(3);
    expect(randomInt(() => 0.999999, 3, 7)).toBe(7);
  });

  it("draws the number of digits asked for, and picks from the list", () => {
    expect(randomDigits(() => 0.95, 4)).toBe("9999");
    expect(pick(() => 0.5, ["a", "b", "c"])).toBe("b");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pick, randomDigits, randomInt, randomString, secureRng } from "../../src/domain/random";

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

  it("draws strings over the alphabet given", () => {
    expect(randomString(() => 0.5, 3, "abc")).toBe("bbb");
    expect(randomString(() => 0.999999, 2, "xyz")).toBe("zz");
  });

  it("draws from the CSPRNG within [0, 1)", () => {
    for (let i = 0; i < 100; i++) {
      const value = secureRng();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

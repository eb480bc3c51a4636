import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { luhnCheckDigit, mod11CheckDigit, mod97 } from "../../src/domain/checksums";

describe("mod11CheckDigit", () => {
  it("gives the check digit of a Norwegian organisation number", () => {
    expect(mod11CheckDigit("92360901", [3, 2, 7, 6, 5, 4, 3, 2])).toBe(6);
  });

  it("gives 0 when the remainder is 0 and null when it would be 10", () => {
    // 1·2 = 2 → 11 − 2 = 9; 0 → 0; 1·1 = 1 → 11 − 1 = 10, which no issued number uses.
    expect(mod11CheckDigit("1", [2])).toBe(9);
    expect(mod11CheckDigit("0", [2])).toBe(0);
    expect(mod11CheckDigit("1", [1])).toBeNull();
  });
});

describe("luhnCheckDigit", () => {
  it("gives the check digit of a Swedish personnummer", () => {
    expect(luhnCheckDigit("811228987")).toBe(4);
  });

  it("gives a digit that makes the whole number pass Luhn", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,20}$/), (payload) => {
        const digits = [...(payload + luhnCheckDigit(payload))].reverse().map(Number);
        const sum = digits.reduce((acc, d, i) => acc + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
        expect(sum % 10).toBe(0);
      }),
    );
  });
});

describe("mod97", () => {
  it("agrees with BigInt arithmetic on long numbers", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,40}$/), (digits) => {
        expect(mod97(digits)).toBe(Number(BigInt(digits) % 97n));
      }),
    );
  });
});

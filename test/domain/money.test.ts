import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import {
  addSums,
  assertCurrencyMatches,
  MAX_SUM,
  toMinorSum,
  currencyForCountry,
  formatAmount,
  formatMinorUnits,
  MAX_AMOUNT,
  validateAmount,
} from "../../src/domain/money";

describe("currencyForCountry", () => {
  it("gives NOK in Norway, DKK in Denmark and EUR in Finland", () => {
    expect([currencyForCountry("NO"), currencyForCountry("DK"), currencyForCountry("FI")]).toEqual([
      "NOK",
      "DKK",
      "EUR",
    ]);
  });

  it("refuses Sweden, which has no merchants", () => {
    expect(() => currencyForCountry("SE")).toThrow(ValidationError);
  });
});

describe("validateAmount", () => {
  it("accepts whole amounts from 1 to 65,000,000 minor units", () => {
    expect(validateAmount(1)).toBe(1);
    expect(validateAmount(MAX_AMOUNT)).toBe(65_000_000);
  });

  it("refuses zero, negative, fractional and too large amounts on the given field", () => {
    for (const amount of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 65_000_001]) {
      expect(() => validateAmount(amount, "input.amount")).toThrow(
        expect.objectContaining({ name: "ValidationError", field: "input.amount" }),
      );
    }
  });

  it("says what the maximum is", () => {
    expect(() => validateAmount(65_000_001)).toThrow(/650\u00a0000,00/);
  });
});

describe("assertCurrencyMatches", () => {
  it("accepts the sales unit's currency and refuses another, naming both", () => {
    expect(() => assertCurrencyMatches("NOK", "NOK")).not.toThrow();
    expect(() => assertCurrencyMatches("EUR", "NOK")).toThrow("This sales unit takes payments in NOK, not EUR");
  });
});

describe("formatAmount", () => {
  it("writes minor units as the home market does", () => {
    expect(formatAmount(123_450, "NOK")).toBe("1\u00a0234,50\u00a0NOK");
    expect(formatAmount(123_450, "DKK")).toBe("1.234,50\u00a0DKK");
    expect(formatAmount(123_450, "EUR")).toBe("1\u00a0234,50\u00a0EUR");
  });

  it("shows both decimals, and a minus for refunds in reports", () => {
    expect(formatAmount(5, "NOK")).toBe("0,05\u00a0NOK");
    expect(formatAmount(-100, "EUR")).toBe("\u22121,00\u00a0EUR");
  });
});

describe("formatMinorUnits", () => {
  it.each([
    [0, "0.00"],
    [5, "0.05"],
    [12345, "123.45"],
    [-2500, "-25.00"],
    [65_000_000, "650000.00"],
  ])("writes %i as %s", (amount, text) => expect(formatMinorUnits(amount)).toBe(text));
});

describe("sums (MinorSum)", () => {
  it("formats sums past 2^31 and 2^53 exactly", () => {
    expect(formatMinorUnits(2_147_483_648n)).toBe("21474836.48");
    expect(formatMinorUnits(9_223_372_036_854_775_807n)).toBe("92233720368547758.07");
    expect(formatMinorUnits(-5n)).toBe("-0.05");
    expect(formatAmount(2_600_000_000n, "NOK")).toBe("26\u00a0000\u00a0000,00\u00a0NOK");
    expect(formatAmount(9_007_199_254_740_993n, "DKK")).toBe("90.071.992.547.409,93\u00a0DKK");
  });

  it("reads sums from bigints, safe integers and digit strings within 64 bits, and refuses anything else", () => {
    expect(toMinorSum("2147483648")).toBe(2_147_483_648n);
    expect(toMinorSum(12)).toBe(12n);
    expect(toMinorSum(MAX_SUM)).toBe(MAX_SUM);
    expect(() => toMinorSum("9223372036854775808")).toThrow(ValidationError);
    expect(() => toMinorSum("12.5")).toThrow(ValidationError);
    expect(() => toMinorSum(1.5)).toThrow(ValidationError);
    expect(() => toMinorSum(2 ** 53)).toThrow(ValidationError);
    expect(addSums(2_000_000_000, 2_000_000_000, 1n)).toBe(4_000_000_001n);
  });
});

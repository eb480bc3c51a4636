import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import { generatePhoneNumber, parsePhoneNumber } from "../../src/domain/phone";
import type { Country } from "../../src/domain/types";

function errorOf(input: string, defaultCountry?: Country): ValidationError {
  try {
    parsePhoneNumber(input, defaultCountry);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`${input} was accepted`);
}

describe("parsePhoneNumber", () => {
  it("stores a Norwegian mobile in E.164 whatever the spacing", () => {
    for (const input of ["+47 912 34 567", "+4791234567", "0047 91234567", " +47-912-34-567 "]) {
      expect(parsePhoneNumber(input)).toEqual({ e164: "+4791234567", country: "NO" });
    }
  });

  it("reads a national number in the default country", () => {
    expect(parsePhoneNumber("412 34 567", "NO")).toEqual({ e164: "+4741234567", country: "NO" });
    expect(parsePhoneNumber("20 12 34 56", "DK")).toEqual({ e164: "+4520123456", country: "DK" });
    expect(parsePhoneNumber("040 123 4567", "FI")).toEqual({ e164: "+358401234567", country: "FI" });
    expect(parsePhoneNumber("050 123 4567", "FI")).toEqual({ e164: "+358501234567", country: "FI" });
    expect(parsePhoneNumber("070-123 45 67", "SE")).toEqual({ e164: "+46701234567", country: "SE" });
  });

  it("takes the country from the country code over the default", () => {
    expect(parsePhoneNumber("+46 70 123 45 67", "NO").country).toBe("SE");
  });

  it("asks for the country code when there is no default country", () => {
    expect(errorOf("91234567").message).toMatch(/country code/);
  });

  it("refuses Norwegian numbers that are not mobiles", () => {
    expect(errorOf("+47 22 12 34 56").message).toBe(
      "This is not a valid Norwegian mobile number: check it and try again, e.g. +47 912 34 567.",
    );
    expect(() => parsePhoneNumber("+47 800 12 345")).toThrow(ValidationError);
  });

  it("refuses Danish numbers of the wrong length and service numbers", () => {
    expect(() => parsePhoneNumber("+45 2012 345")).toThrow(ValidationError);
    expect(() => parsePhoneNumber("+45 80 12 34 56")).toThrow(ValidationError);
  });

  it("refuses Finnish and Swedish landlines", () => {
    expect(() => parsePhoneNumber("09 123 4567", "FI")).toThrow(ValidationError);
    expect(() => parsePhoneNumber("08-123 456 78", "SE")).toThrow(ValidationError);
  });

  it("refuses numbers from other countries, on the phoneNumber field", () => {
    const error = errorOf("+44 7700 900123");
    expect(error.message).toMatch(/Only Norwegian \(\+47\), Danish \(\+45\), Finnish \(\+358\) and Swedish \(\+46\)/);
    expect(error.field).toBe("phoneNumber");
  });

  it("refuses text that is not a phone number", () => {
    expect(() => parsePhoneNumber("", "NO")).toThrow(/Enter a mobile number/);
    expect(() => parsePhoneNumber("+47 call me")).toThrow(ValidationError);
  });

  it("refuses a number with an extension", () => {
    expect(() => parsePhoneNumber("+47 912 34 567 ext. 12")).toThrow(ValidationError);
  });
});

describe("generatePhoneNumber", () => {
  it("always produces a valid mobile of the country asked for", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Country>("NO", "DK", "FI", "SE"),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 12, maxLength: 12 }),
        (country, values) => {
          let i = 0;
          const e164 = generatePhoneNumber(country, () => values[i++] ?? 0);
          expect(parsePhoneNumber(e164)).toEqual({ e164, country });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

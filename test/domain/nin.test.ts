import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import { generateNin, isValidNin, parseNin } from "../../src/domain/nin";
import type { Country } from "../../src/domain/types";

const NOW = new Date("2025-06-01T12:00:00Z");

function parse(country: Country, input: string) {
  return parseNin(country, input, NOW);
}

function errorOf(country: Country, input: string): ValidationError {
  try {
    parse(country, input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`${country} ${input} was accepted`);
}

describe("Norwegian fødselsnummer", () => {
  it("accepts a valid number and reads its birth date", () => {
    expect(parse("NO", "15076500565")).toEqual({ nin: "15076500565", birthDate: "1965-07-15" });
  });

  it("ignores spaces around and inside the number", () => {
    expect(parse("NO", " 150765 00565 ").nin).toBe("15076500565");
  });

  it("refuses a number whose first check digit is wrong", () => {
    expect(errorOf("NO", "15076500575").message).toBe(
      "The NIN's check digits are wrong: check the number and try again.",
    );
  });

  it("refuses a number whose second check digit is wrong", () => {
    expect(isValidNin("NO", "15076500566", NOW)).toBe(false);
  });

  it("accepts a D-number, whose day is increased by 40", () => {
    expect(parse("NO", findValid("NO", "450380" + "123")).birthDate).toBe("1980-03-05");
  });

  it("reads the century from the individual number", () => {
    expect(parse("NO", findValid("NO", "010107" + "501")).birthDate).toBe("2007-01-01");
    expect(parse("NO", findValid("NO", "010160" + "950")).birthDate).toBe("1960-01-01");
    expect(parse("NO", findValid("NO", "010160" + "450")).birthDate).toBe("1960-01-01");
    expect(parse("NO", findValid("NO", "010180" + "600")).birthDate).toBe("1880-01-01");
  });

  it("refuses an individual number that no birth year uses", () => {
    expect(errorOf("NO", findValid("NO", "010145" + "800")).message).toMatch(/individual number/);
  });

  it("refuses a number with a date that does not exist", () => {
    expect(errorOf("NO", findValid("NO", "310460" + "123")).message).toMatch(/real birth date/);
  });

  it("refuses ten or twelve digits, with the ValidationError on the nin field", () => {
    expect(errorOf("NO", "1507650056").field).toBe("nin");
    expect(isValidNin("NO", "150765005650", NOW)).toBe(false);
  });
});

describe("Danish CPR number", () => {
  it("accepts ten digits with or without the dash and stores digits only", () => {
    expect(parse("DK", "070761-4285")).toEqual({ nin: "0707614285", birthDate: "1961-07-07" });
    expect(parse("DK", "0707614285").nin).toBe("0707614285");
  });

  it("does not apply the mod-11 check dropped in 2007", () => {
    // 0707614286 fails mod-11 but is a valid CPR number today.
    expect(parse("DK", "070761-4286").birthDate).toBe("1961-07-07");
  });

  it("reads the century from the seventh digit", () => {
    const later = new Date("2060-01-01T00:00:00Z");
    expect(parseNin("DK", "010136-4000", later).birthDate).toBe("2036-01-01");
    expect(parseNin("DK", "010137-4000", later).birthDate).toBe("1937-01-01");
    expect(parseNin("DK", "010105-9000", later).birthDate).toBe("2005-01-01");
    expect(parseNin("DK", "010157-5000", later).birthDate).toBe("2057-01-01");
    expect(parseNin("DK", "010158-8000", later).birthDate).toBe("1858-01-01");
    expect(parseNin("DK", "010100-3000", later).birthDate).toBe("1900-01-01");
  });

  it("refuses a date that does not exist, such as 29 February in a common year", () => {
    expect(errorOf("DK", "290223-1234").message).toMatch(/real birth date/);
    expect(parse("DK", "290224-1234").birthDate).toBe("1924-02-29");
  });

  it("refuses a birth date in the future", () => {
    expect(errorOf("DK", "010130-4000").message).toMatch(/future/);
  });

  it("refuses nine digits or letters", () => {
    expect(isValidNin("DK", "070761-428", NOW)).toBe(false);
    expect(isValidNin("DK", "070761-428A", NOW)).toBe(false);
  });
});

describe("Finnish henkilötunnus", () => {
  it("accepts the classic example and reads its birth date", () => {
    expect(parse("FI", "131052-308T")).toEqual({ nin: "131052-308T", birthDate: "1952-10-13" });
  });

  it("accepts the century signs added in 2023", () => {
    for (const nin of ["010594Y9032", "020594X903P", "030594W903B", "040594V9030", "050594U903M"]) {
      expect(parse("FI", nin).birthDate.slice(0, 4)).toBe("1994");
    }
    for (const nin of ["010516B903X", "020516C903K", "030516D9037", "040516E903V", "050516F903H"]) {
      expect(parse("FI", nin).birthDate.slice(0, 4)).toBe("2016");
    }
  });

  it("reads + as the 1800s and A as the 2000s", () => {
    const plus = generateNin("FI", () => 0, { birthDate: new Date("1890-05-01T00:00:00Z") });
    expect(plus[6]).toBe("+");
    expect(parse("FI", plus).birthDate).toBe("1890-05-01");
  });

  it("normalises lower-case letters to upper case", () => {
    expect(parse("FI", "131052-308t").nin).toBe("131052-308T");
  });

  it("refuses a wrong check character", () => {
    expect(errorOf("FI", "131052-308U").message).toMatch(/check digits/);
  });

  it("refuses an unknown century sign or individual number 000 and 001", () => {
    expect(isValidNin("FI", "131052G308T", NOW)).toBe(false);
    expect(errorOf("FI", `131052-001${checkFi("131052001")}`).message).toMatch(/individual number/);
  });
});

describe("Swedish personnummer", () => {
  it("accepts ten digits with a dash and stores twelve", () => {
    expect(parse("SE", "811228-9874")).toEqual({ nin: "198112289874", birthDate: "1981-12-28" });
  });

  it("accepts twelve digits with or without a dash", () => {
    expect(parse("SE", "19811228-9874").nin).toBe("198112289874");
    expect(parse("SE", "198112289874").nin).toBe("198112289874");
  });

  it("puts a ten-digit number in the latest century that is not in the future", () => {
    const born2010 = `101010123${luhn("101010123")}`;
    expect(parse("SE", born2010).birthDate).toBe("2010-10-10");
    const born1930 = `301010123${luhn("301010123")}`;
    expect(parse("SE", born1930).birthDate).toBe("1930-10-10");
  });

  it("reads + as a person aged 100 or more", () => {
    expect(parse("SE", "121212+1212")).toEqual({ nin: "191212121212", birthDate: "1912-12-12" });
  });

  it("accepts a coordination number, whose day is increased by 60", () => {
    const coordination = `811288987${luhn("811288987")}`;
    expect(parse("SE", coordination).birthDate).toBe("1981-12-28");
  });

  it("refuses a wrong Luhn check digit", () => {
    expect(errorOf("SE", "811228-9875").message).toMatch(/check digits/);
  });

  it("refuses + in the twelve-digit form, where the year already gives the century", () => {
    expect(errorOf("SE", "19121212+1212").message).toMatch(/without '\+'/);
  });
});

describe("generateNin", () => {
  const countries = fc.constantFrom<Country>("NO", "DK", "FI", "SE");
  const birthDate = fc.date({
    min: new Date("1900-01-01T00:00:00Z"),
    max: new Date("2024-12-31T00:00:00Z"),
    noInvalidDate: true,
  });
  const seeds = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
    minLength: 20,
    maxLength: 20,
  });

  function rngFrom(values: number[]): () => number {
    let i = 0;
    return () => values[i++ % values.length] ?? 0;
  }

  it("always produces a number that validates, with the birth date asked for", () => {
    fc.assert(
      fc.property(countries, birthDate, seeds, (country, birth, values) => {
        const nin = generateNin(country, rngFrom(values), { birthDate: birth });
        const parsed = parse(country, nin);
        expect(parsed.nin).toBe(nin);
        expect(parsed.birthDate).toBe(birth.toISOString().slice(0, 10));
      }),
      { numRuns: 1000 },
    );
  });

  it("gives an adult's birth date when none is asked for", () => {
    fc.assert(
      fc.property(countries, seeds, (country, values) => {
        const year = Number(parse(country, generateNin(country, rngFrom(values))).birthDate.slice(0, 4));
        expect(year).toBeGreaterThanOrEqual(1940);
        expect(year).toBeLessThanOrEqual(2005);
      }),
    );
  });

  it("gives the same number for the same random sequence", () => {
    expect(generateNin("NO", rngFrom([0.1, 0.7, 0.3]))).toBe(generateNin("NO", rngFrom([0.1, 0.7, 0.3])));
  });

  it("catches any one-digit change in a Norwegian, Finnish or Swedish number", () => {
    const checked = fc.constantFrom<Country>("NO", "FI", "SE");
    fc.assert(
      fc.property(
        checked,
        birthDate,
        seeds,
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (country, birth, values, at, delta) => {
          const nin = generateNin(country, rngFrom(values), { birthDate: birth });
          // The Luhn check of a Swedish number covers its last ten digits only, not the century.
          const positions = [...nin]
            .map((_char, i) => i)
            .filter((i) => /\d/.test(nin[i] ?? "") && !(country === "SE" && i < 2));
          const position = positions[at % positions.length] ?? 0;
          const changed = nin.slice(0, position) + ((Number(nin[position]) + delta) % 10) + nin.slice(position + 1);
          expect(isValidNin(country, changed, NOW)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** The 11-digit Norwegian number for nine digits, trying the next individual numbers when no check digit fits. */
function findValid(country: "NO", first9: string): string {
  for (let individual = Number(first9.slice(6)); individual < 1000; individual++) {
    const candidate = first9.slice(0, 6) + String(individual).padStart(3, "0");
    for (let k = 0; k < 100; k++) {
      const nin = candidate + String(k).padStart(2, "0");
      if (checkDigitsMatch(nin)) return nin;
    }
  }
  throw new Error(`no valid ${country} number from ${first9}`);
}

function checkDigitsMatch(nin: string): boolean {
  const d = [...nin].map(Number);
  const sum1 = [3, 7, 6, 1, 8, 9, 4, 5, 2].reduce((sum, w, i) => sum + w * (d[i] ?? 0), 0);
  const sum2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((sum, w, i) => sum + w * (d[i] ?? 0), 0);
  return sum1 % 11 === (11 - (d[9] ?? 0)) % 11 && sum2 % 11 === (11 - (d[10] ?? 0)) % 11;
}

function checkFi(nineDigits: string): string {
  return "0123456789ABCDEFHJKLMNPRSTUVWXY"[Number(nineDigits) % 31] ?? "";
}

function luhn(payload: string): string {
  const sum = [...payload].reverse().reduce((acc, char, i) => {
    const doubled = Number(char) * (i % 2 === 0 ? 2 : 1);
    return acc + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return String((10 - (sum % 10)) % 10);
}

/**
 * National identity numbers (NIN) of the four markets. Hand-written rather than taken from npm: each rule is
 * a short, well-specified checksum, and the packages miss parts of it (danish-ssn still applies the mod-11
 * check dropped in 2007), so one module with one error style is simpler than four dependencies.
 */
import { dayOf } from "./calendar";
import { luhnCheckDigit, mod11CheckDigit } from "./checksums";
import { ValidationError } from "./errors";
import { pick, randomDigits, randomInt } from "./random";
import type { Country, Rng } from "./types";

export interface ParsedNin {
  /** The form stored and compared: NO and DK digits only, FI upper case with its century sign, SE 12 digits. */
  nin: string;
  /** YYYY-MM-DD. */
  birthDate: string;
}

const FIELD = "nin";
const WRONG_CHECK = "The NIN's check digits are wrong: check the number and try again.";
const NO_DATE = "The NIN does not contain a real birth date: check the number and try again.";

function fail(message: string): never {
  throw new ValidationError(message, FIELD);
}

/**
 * Checks `input` against the rules of `country` and returns its normalised form. `now` decides the century of
 * a 10-digit Swedish number and refuses birth dates in the future.
 */
export function parseNin(country: Country, input: string, now: Date = new Date()): ParsedNin {
  const compact = input.replace(/\s+/g, "");
  const parsed = PARSERS[country](compact, now);
  if (parsed.birthDate > dayOf(now)) {
    fail("The NIN's birth date is in the future: check the number and try again.");
  }
  return parsed;
}

export function isValidNin(country: Country, input: string, now: Date = new Date()): boolean {
  try {
    parseNin(country, input, now);
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}

/**
 * A valid NIN in its normalised form, for test users and demo data. The birth date (read in UTC) defaults to
 * an adult's, between 1940 and 2005.
 */
export function generateNin(country: Country, rng: Rng, opts: { birthDate?: Date } = {}): string {
  const birth = opts.birthDate ?? randomBirthDate(rng);
  const year = birth.getUTCFullYear();
  const ddmm = pad2(birth.getUTCDate()) + pad2(birth.getUTCMonth() + 1);
  const yy = pad2(year % 100);
  switch (country) {
    case "NO":
      return generateNorwegian(rng, ddmm + yy, year);
    case "DK":
      return ddmm + yy + danishSerial(rng, year);
    case "FI": {
      const sign = pick(rng, finnishSigns(year));
      const individual = String(randomInt(rng, 2, 899)).padStart(3, "0");
      return ddmm + yy + sign + individual + finnishCheckChar(ddmm + yy + individual);
    }
    case "SE": {
      if (year < 1800 || year > 2099) {
        throw new RangeError("A Swedish personnummer encodes birth years 1800–2099 only: choose a date in that range.");
      }
      const payload = yy + ddmm.slice(2) + ddmm.slice(0, 2) + randomDigits(rng, 3);
      return String(year).slice(0, 2) + payload + luhnCheckDigit(payload);
    }
  }
}

const PARSERS: Record<Country, (compact: string, now: Date) => ParsedNin> = {
  NO: parseNorwegian,
  DK: parseDanish,
  FI: parseFinnish,
  SE: parseSwedish,
};

const NO_WEIGHTS_K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const NO_WEIGHTS_K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

function parseNorwegian(nin: string): ParsedNin {
  if (!/^\d{11}$/.test(nin)) {
    fail("A Norwegian fødselsnummer has 11 digits (DDMMYY and 5 more): check the number and try again.");
  }
  if (nin !== withNorwegianCheckDigits(nin.slice(0, 9))) fail(WRONG_CHECK);
  const rawDay = Number(nin.slice(0, 2));
  // A D-number (for people without a fødselsnummer) adds 40 to the day.
  const day = rawDay > 40 ? rawDay - 40 : rawDay;
  const yy = Number(nin.slice(4, 6));
  const year = norwegianBirthYear(yy, Number(nin.slice(6, 9)));
  if (year === null) fail("The NIN's individual number does not fit its birth year: check the number and try again.");
  return { nin, birthDate: isoDate(year, Number(nin.slice(2, 4)), day) ?? fail(NO_DATE) };
}

/** The full 11 digits for the first nine, or null when no check digit exists for them. */
function withNorwegianCheckDigits(first9: string): string | null {
  const k1 = mod11CheckDigit(first9, NO_WEIGHTS_K1);
  if (k1 === null) return null;
  const k2 = mod11CheckDigit(first9 + k1, NO_WEIGHTS_K2);
  return k2 === null ? null : `${first9}${k1}${k2}`;
}

/** The Norwegian population register's mapping of individual-number ranges to centuries. */
function norwegianBirthYear(yy: number, individual: number): number | null {
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (yy <= 39) return 2000 + yy;
  if (individual >= 900) return 1900 + yy;
  return null;
}

function norwegianIndividualRange(year: number): [number, number] {
  if (year >= 1900 && year <= 1999) return [0, 499];
  if (year >= 2000 && year <= 2039) return [500, 999];
  if (year >= 1854 && year <= 1899) return [500, 749];
  throw new RangeError("A Norwegian fødselsnummer encodes birth years 1854–2039 only: choose a date in that range.");
}

function generateNorwegian(rng: Rng, ddmmyy: string, year: number): string {
  const [low, high] = norwegianIndividualRange(year);
  const size = high - low + 1;
  const start = randomInt(rng, 0, size - 1);
  // About one individual number in five has no check digit, so walk on from a random start until one fits.
  for (let i = 0; i < size; i++) {
    const individual = String(low + ((start + i) % size)).padStart(3, "0");
    const nin = withNorwegianCheckDigits(ddmmyy + individual);
    if (nin !== null) return nin;
  }
  throw new RangeError(`No Norwegian fødselsnummer exists for ${ddmmyy}.`);
}

function parseDanish(input: string): ParsedNin {
  const match = /^(\d{6})-?(\d{4})$/.exec(input);
  if (!match) fail("A Danish CPR number has 10 digits (DDMMYY-SSSS): check the number and try again.");
  const nin = `${match[1]}${match[2]}`;
  const year = danishBirthYear(Number(nin.slice(4, 6)), Number(nin[6]));
  return { nin, birthDate: isoDate(year, Number(nin.slice(2, 4)), Number(nin.slice(0, 2))) ?? fail(NO_DATE) };
}

/** CPR's century rule: the first digit of the serial number together with the two-digit year. */
function danishBirthYear(yy: number, serialDigit: number): number {
  if (serialDigit <= 3) return 1900 + yy;
  if (serialDigit === 4 || serialDigit === 9) return (yy <= 36 ? 2000 : 1900) + yy;
  return (yy <= 57 ? 2000 : 1800) + yy;
}

function danishSerial(rng: Rng, year: number): string {
  let first: number;
  if (year >= 1900 && year <= 1999) first = randomInt(rng, 0, 3);
  else if (year >= 2000 && year <= 2036) first = pick(rng, [4, 9]);
  else if ((year >= 2037 && year <= 2057) || (year >= 1858 && year <= 1899)) first = randomInt(rng, 5, 8);
  else throw new RangeError("A Danish CPR number encodes birth years 1858–2057 only: choose a date in that range.");
  return String(first) + randomDigits(rng, 3);
}

const FI_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY";
/** U–Y and B–F were added in 2023 next to the classic signs. */
const FI_CENTURY_SIGNS = {
  1800: ["+"],
  1900: ["-", "U", "V", "W", "X", "Y"],
  2000: ["A", "B", "C", "D", "E", "F"],
} as const satisfies Record<number, readonly [string, ...string[]]>;

function parseFinnish(input: string): ParsedNin {
  const nin = input.toUpperCase();
  const match = /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$/.exec(nin);
  if (!match) {
    fail("A Finnish henkilötunnus looks like DDMMYYCZZZQ, e.g. 131052-308T: check the number and try again.");
  }
  const [, dd = "", mm = "", yy = "", sign = "", individual = "", check = ""] = match;
  const century = sign === "+" ? 1800 : (FI_CENTURY_SIGNS[1900] as readonly string[]).includes(sign) ? 1900 : 2000;
  const birthDate = isoDate(century + Number(yy), Number(mm), Number(dd)) ?? fail(NO_DATE);
  // 000 and 001 are never issued.
  if (Number(individual) < 2) fail("The NIN's individual number is not in use: check the number and try again.");
  if (finnishCheckChar(dd + mm + yy + individual) !== check) fail(WRONG_CHECK);
  return { nin, birthDate };
}

function finnishCheckChar(nineDigits: string): string {
  return FI_CHECK_CHARS[Number(nineDigits) % 31] ?? "";
}

function finnishSigns(year: number): readonly [string, ...string[]] {
  const century = year - (year % 100);
  if (century === 1800 || century === 1900 || century === 2000) return FI_CENTURY_SIGNS[century];
  throw new RangeError("A Finnish henkilötunnus encodes birth years 1800–2099 only: choose a date in that range.");
}

function parseSwedish(input: string, now: Date): ParsedNin {
  const match = /^(\d{2})?(\d{6})([-+]?)(\d{4})$/.exec(input);
  if (!match) {
    fail("A Swedish personnummer has 10 or 12 digits (YYMMDD-NNNN or YYYYMMDDNNNN): check the number and try again.");
  }
  const [, century, yymmdd = "", separator, serial = ""] = match;
  if (century !== undefined && separator === "+") {
    fail("Write a 12-digit personnummer without '+': the year already shows the century.");
  }
  if (!["18", "19", "20", undefined].includes(century)) fail(NO_DATE);
  const payload = yymmdd + serial.slice(0, 3);
  if (luhnCheckDigit(payload) !== Number(serial[3])) fail(WRONG_CHECK);
  const yy = Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const rawDay = Number(yymmdd.slice(4, 6));
  // A coordination number (samordningsnummer) adds 60 to the day.
  const day = rawDay > 60 ? rawDay - 60 : rawDay;
  const year =
    century === undefined
      ? swedishBirthYear(yy, month, day, separator === "+", now)
      : Number(century + yymmdd.slice(0, 2));
  const birthDate = isoDate(year, month, day) ?? fail(NO_DATE);
  return { nin: String(year) + yymmdd.slice(2) + serial, birthDate };
}

/**
 * The 10-digit form leaves the century out: it is the latest one that puts the birth date in the past, and
 * '+' (used from the 100th birthday) moves it back one more.
 */
function swedishBirthYear(yy: number, month: number, day: number, centenarian: boolean, now: Date): number {
  const thisYear = now.getUTCFullYear();
  let year = thisYear - ((((thisYear - yy) % 100) + 100) % 100);
  const birthday = isoDate(year, month, day);
  if (birthday !== null && birthday > dayOf(now)) year -= 100;
  return centenarian ? year - 100 : year;
}

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}`;
}

function randomBirthDate(rng: Rng): Date {
  const from = Date.UTC(1940, 0, 1);
  const to = Date.UTC(2005, 11, 31);
  return new Date(from + randomInt(rng, 0, (to - from) / 86_400_000) * 86_400_000);
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}

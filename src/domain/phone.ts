/**
 * Mobile numbers of the four markets, stored in E.164. libphonenumber-js (with the "max" metadata, which knows
 * number types) decides what is a real mobile number; the national patterns below narrow it further.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { ValidationError } from "./errors";
import { pick, randomDigits, randomInt } from "./random";
import type { Country, Rng } from "./types";

export interface ParsedPhoneNumber {
  e164: string;
  country: Country;
}

const FIELD = "phoneNumber";

interface MarketRule {
  callingCode: string;
  /** The national significant number (without the leading 0 of FI and SE) of a mobile. */
  mobile: RegExp;
  /** Prefixes of mobile ranges in service, so generated numbers pass the same checks as real ones. */
  generatedPrefixes: readonly [string, ...string[]];
  generatedLength: number;
  example: string;
}

const MARKETS: Record<Country, MarketRule> = {
  NO: {
    callingCode: "47",
    mobile: /^[49]\d{7}$/,
    generatedPrefixes: ["40", "41", "46", "47", "48", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99"],
    generatedLength: 8,
    example: "+47 912 34 567",
  },
  DK: {
    callingCode: "45",
    mobile: /^\d{8}$/,
    generatedPrefixes: ["20", "22", "24", "26", "28", "30", "31", "40", "42", "50", "53", "60", "71", "81", "91"],
    generatedLength: 8,
    example: "+45 20 12 34 56",
  },
  FI: {
    callingCode: "358",
    mobile: /^(?:4\d|50)\d+$/,
    generatedPrefixes: ["40", "41", "44", "45", "46", "50"],
    generatedLength: 9,
    example: "+358 40 123 4567",
  },
  SE: {
    callingCode: "46",
    mobile: /^7\d{8}$/,
    generatedPrefixes: ["70", "72", "73", "76", "79"],
    generatedLength: 9,
    example: "+46 70 123 45 67",
  },
};

const ADJECTIVES: Record<Country, string> = { NO: "Norwegian", DK: "Danish", FI: "Finnish", SE: "Swedish" };

const COUNTRY_BY_CALLING_CODE = new Map(
  (Object.entries(MARKETS) as [Country, MarketRule][]).map(([country, rule]) => [rule.callingCode, country]),
);

function fail(message: string): never {
  throw new ValidationError(message, FIELD);
}

/**
 * Parses a Norwegian, Danish, Finnish or Swedish mobile number. Without a country code (+47, 00 47, …) the
 * number is read as national in `defaultCountry`.
 */
export function parsePhoneNumber(input: string, defaultCountry?: Country): ParsedPhoneNumber {
  const trimmed = input.trim();
  if (trimmed === "") fail("Enter a mobile number, e.g. +47 912 34 567.");
  // All four markets dial abroad with 00, so "0047…" means "+47…".
  const normalised = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
  const international = normalised.startsWith("+");
  if (!international && defaultCountry === undefined) {
    fail("Add the country code to the mobile number, e.g. +47 912 34 567.");
  }
  const parsed = parsePhoneNumberFromString(normalised, international ? undefined : defaultCountry);
  const country = parsed ? COUNTRY_BY_CALLING_CODE.get(parsed.countryCallingCode) : undefined;
  if (!parsed || country === undefined) {
    if (parsed) {
      fail("Only Norwegian (+47), Danish (+45), Finnish (+358) and Swedish (+46) mobile numbers can be used.");
    }
    fail("This is not a phone number: check it and try again, e.g. +47 912 34 567.");
  }
  const rule = MARKETS[country];
  const type = parsed.getType();
  const isMobile = type === "MOBILE" || (country === "DK" && type === "FIXED_LINE_OR_MOBILE");
  if (!parsed.isValid() || !isMobile || !rule.mobile.test(parsed.nationalNumber) || parsed.ext) {
    fail(`This is not a valid ${ADJECTIVES[country]} mobile number: check it and try again, e.g. ${rule.example}.`);
  }
  return { e164: parsed.number, country };
}

/** A valid mobile number in E.164, for test users and demo data. */
export function generatePhoneNumber(country: Country, rng: Rng): string {
  const rule = MARKETS[country];
  const prefix = pick(rng, rule.generatedPrefixes);
  // Several Danish ranges leave the digit after the prefix unassigned when it is 0; no range needs a 0 there.
  const next = randomInt(rng, 1, 9);
  return `+${rule.callingCode}${prefix}${next}${randomDigits(rng, rule.generatedLength - prefix.length - 1)}`;
}

/**
 * Company details a merchant or an applicant types in: postal address, website, contact e-mail. Each
 * `validate…` returns the value to store or throws a ValidationError naming the field.
 */
import { ValidationError } from "./errors";
import { validateEmail, validateText } from "./identifiers";
import type { Country } from "./types";
import { validateHttpsUrl } from "./urls";

export const ADDRESS_LIMITS = { addressLine: 100, city: 50 } as const;

const POSTAL_CODES: Record<Country, { pattern: RegExp; example: string }> = {
  NO: { pattern: /^\d{4}$/, example: "a Norwegian postal code has 4 digits, e.g. 0150" },
  DK: { pattern: /^\d{4}$/, example: "a Danish postal code has 4 digits, e.g. 2200" },
  FI: { pattern: /^\d{5}$/, example: "a Finnish postal code has 5 digits, e.g. 00100" },
  SE: { pattern: /^\d{5}$/, example: "a Swedish postal code has 5 digits, e.g. 114 55" },
};

export function validatePostalCode(country: Country, value: string, field = "postalCode"): string {
  const compact = value.replace(/\s+/g, "");
  const rule = POSTAL_CODES[country];
  if (!rule.pattern.test(compact)) throw new ValidationError(`Check the postal code: ${rule.example}.`, field);
  return compact;
}

export interface CompanyDetails {
  addressLine?: string | null;
  postalCode?: string | null;
  city?: string | null;
  website?: string | null;
  contactEmail?: string | null;
}

/**
 * Validates the details that are given: `undefined` leaves a field out, `null` clears it, so one function
 * serves both a full form and a partial update.
 */
export function validateCompanyDetails(country: Country, details: CompanyDetails): CompanyDetails {
  const result: CompanyDetails = {};
  const each = <K extends keyof CompanyDetails>(key: K, validate: (value: string) => string) => {
    const value = details[key];
    if (value !== undefined) result[key] = value === null ? null : validate(value);
  };
  each("addressLine", (value) => validateText(value, "addressLine", 1, ADDRESS_LIMITS.addressLine, "street address"));
  each("postalCode", (value) => validatePostalCode(country, value));
  each("city", (value) => validateText(value, "city", 1, ADDRESS_LIMITS.city, "city"));
  each("website", (value) => validateHttpsUrl(value, "website"));
  each("contactEmail", (value) => validateEmail(value, "contactEmail"));
  return result;
}

/**
 * Identifiers and free-text fields merchants type in. Every `validate…` returns the value in the form to
 * store, or throws a ValidationError naming `field`.
 */
import { mod11CheckDigit, mod97 } from "./checksums";
import { ValidationError } from "./errors";
import type { Country } from "./types";

export function isValidMsn(value: string): boolean {
  return /^\d{5,6}$/.test(value);
}

export function validateMsn(value: string, field = "msn"): string {
  if (!isValidMsn(value)) {
    throw new ValidationError("A merchant serial number (MSN) has 5 or 6 digits: check it and try again.", field);
  }
  return value;
}

/**
 * Order references and idempotency keys are the client's own identifiers: they are checked, never trimmed or
 * changed, so the client finds them again exactly as it sent them.
 */
export function validateReference(value: string, field = "reference"): string {
  if (!/^[a-zA-Z0-9-]{8,50}$/.test(value)) {
    throw new ValidationError(
      "The reference must be 8–50 characters of letters a–z, A–Z, digits and '-': change it and try again.",
      field,
    );
  }
  return value;
}

export function validateIdempotencyKey(value: string, field = "idempotencyKey"): string {
  if (!/^[a-zA-Z0-9-]{1,50}$/.test(value)) {
    throw new ValidationError(
      "The idempotency key must be 1–50 characters of letters a–z, A–Z, digits and '-', e.g. a UUID.",
      field,
    );
  }
  return value;
}

const NO_SWEDISH_MERCHANTS = "Merchants exist only in Norway, Denmark and Finland: choose NO, DK or FI.";
const NO_ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;
const FI_BUSINESS_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2] as const;

/** NO organisasjonsnummer (9 digits), DK CVR (8 digits) or FI Y-tunnus (1234567-8); spaces are ignored. */
export function validateOrganizationNumber(country: Country, value: string, field = "organizationNumber"): string {
  const compact = value.replace(/\s+/g, "");
  switch (country) {
    case "NO": {
      // All zeros passes the check digit (a sum of 0) but is no one's number.
      const valid = /^\d{9}$/.test(compact) && !/^0+$/.test(compact) && mod11CheckDigit(compact, NO_ORG_WEIGHTS) === Number(compact[8]);
      if (!valid) {
        throw new ValidationError(
          "A Norwegian organisation number has 9 digits and a valid check digit: check it in Brønnøysundregistrene and try again.",
          field,
        );
      }
      return compact;
    }
    case "DK":
      // The CVR register's modulus-11 rule (Erhvervsstyrelsen): weights 2,7,6,5,4,3,2 and a check digit; none starts with 0.
      if (!/^[1-9]\d{7}$/.test(compact) || mod11CheckDigit(compact, [2, 7, 6, 5, 4, 3, 2]) !== Number(compact[7])) {
        throw new ValidationError(
          "A Danish CVR number has 8 digits and a valid check digit: check it in the CVR register and try again.",
          field,
        );
      }
      return compact;
    case "FI": {
      const match = /^(\d{6,7})-(\d)$/.exec(compact);
      // Old business IDs have six digits; the register now writes them with a leading zero.
      const digits = match?.[1]?.padStart(7, "0");
      if (!match || digits === undefined || /^0+$/.test(digits) || finnishBusinessIdCheckDigit(digits) !== Number(match[2])) {
        throw new ValidationError(
          "A Finnish business ID (Y-tunnus) looks like 1234567-8 with a valid check digit: check it in the YTJ register and try again.",
          field,
        );
      }
      return `${digits}-${match[2]}`;
    }
    case "SE":
      throw new ValidationError(NO_SWEDISH_MERCHANTS, "country");
  }
}

function finnishBusinessIdCheckDigit(sevenDigits: string): number | null {
  const sum = FI_BUSINESS_ID_WEIGHTS.reduce((total, weight, i) => total + weight * Number(sevenDigits[i]), 0);
  const remainder = sum % 11;
  if (remainder === 1) return null;
  return remainder === 0 ? 0 : 11 - remainder;
}

export const NAME_LIMITS = {
  merchant: { min: 1, max: 50 },
  salesUnit: { min: 1, max: 50 },
  qrCode: { min: 1, max: 128 },
} as const;

export const DESCRIPTION_LIMITS = { min: 3, max: 100 } as const;

export const REASON_LIMITS = { min: 3, max: 500 } as const;

/** Trims the name and counts characters as code points, so "Kafé Ø" is six characters. */
export function validateName(value: string, field: string, min: number, max: number): string {
  return validateText(value, field, min, max, "name");
}

/** The payment description the customer sees in the app. */
export function validateDescription(value: string, field = "description"): string {
  return validateText(value, field, DESCRIPTION_LIMITS.min, DESCRIPTION_LIMITS.max, "description");
}

/** Why customer service rejects an application or an order; the applicant reads it. */
export function validateReason(value: string, field = "reason"): string {
  return validateText(value, field, REASON_LIMITS.min, REASON_LIMITS.max, "reason");
}

/** Bounded one-line free text; `what` names it in the messages ("shipping address"). */
export function validateText(value: string, field: string, min: number, max: number, what: string): string {
  const trimmed = value.trim();
  if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(trimmed)) {
    throw new ValidationError(`The ${what} contains line breaks or control characters: write it on one line.`, field);
  }
  const length = [...trimmed].length;
  if (length === 0) throw new ValidationError(`The ${what} cannot be empty: enter a ${what}.`, field);
  if (length < min) {
    throw new ValidationError(`The ${what} must have at least ${min} characters: write a longer ${what}.`, field);
  }
  if (length > max) {
    throw new ValidationError(
      `The ${what} can have at most ${max} characters (this one has ${length}): shorten it.`,
      field,
    );
  }
  return trimmed;
}

const NO_ACCOUNT_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * The account settlements are paid to: NO an 11-digit bank account (stored as digits), DK a registration
 * number and account number (stored as "1234-0001234567", the account padded to 10 digits as Danish payment
 * files do, so one account has one form), FI an IBAN (stored compact, upper case).
 */
export function validateSettlementAccount(country: Country, value: string, field = "settlementAccount"): string {
  switch (country) {
    case "NO": {
      const digits = value.replace(/[\s.]+/g, "");
      if (!/^\d{11}$/.test(digits) || /^0+$/.test(digits) || mod11CheckDigit(digits, NO_ACCOUNT_WEIGHTS) !== Number(digits[10])) {
        throw new ValidationError(
          "A Norwegian bank account number has 11 digits and a valid check digit, e.g. 1234.56.78903: check it and try again.",
          field,
        );
      }
      return digits;
    }
    case "DK": {
      const match = /^(\d{4})[\s-]*(\d{1,10})$/.exec(value.trim());
      if (!match || /^0+$/.test(match[2] ?? "")) {
        throw new ValidationError(
          "Give the Danish account as the 4-digit registration number and an account number of up to 10 digits, e.g. 1234-0001234567.",
          field,
        );
      }
      return `${match[1]}-${(match[2] ?? "").padStart(10, "0")}`;
    }
    case "FI": {
      const iban = value.replace(/\s+/g, "").toUpperCase();
      if (!/^FI\d{16}$/.test(iban) || ibanChecksum(iban) !== 1) {
        throw new ValidationError(
          "A Finnish account is an IBAN of FI and 16 digits with valid check digits, e.g. FI21 1234 5600 0007 85: check it and try again.",
          field,
        );
      }
      return iban;
    }
    case "SE":
      throw new ValidationError(NO_SWEDISH_MERCHANTS, "country");
  }
}

function ibanChecksum(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  const digits = [...rearranged].map((char) => (/\d/.test(char) ? char : String(char.charCodeAt(0) - 55))).join("");
  return mod97(digits);
}

/** For principals who may not see the full account: every character but the last four becomes "•". */
export function maskAccountNumber(account: string): string {
  const visible = account.length > 4 ? account.slice(-4) : "";
  return "•".repeat(account.length - visible.length) + visible;
}

/**
 * An e-mail address as the audit trail keeps it: the first character of the mailbox and the whole domain
 * ("m•••@fjordkaffe.no"), enough to tell addresses of one merchant apart without keeping a person's address.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${email[0]}•••${email.slice(at)}`;
}

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LEVEL_DOMAIN = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

/**
 * A sane check, not RFC 5322: addresses people actually use (no quoted local parts, no IP-literal domains).
 * The domain is lower-cased because it is case-insensitive; the local part is kept as written.
 */
export function validateEmail(value: string, field = "email"): string {
  const trimmed = value.trim();
  const at = trimmed.lastIndexOf("@");
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1).toLowerCase();
  const labels = domain.split(".");
  const valid =
    at > 0 &&
    trimmed.length <= 254 &&
    local.length <= 64 &&
    EMAIL_LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label)) &&
    TOP_LEVEL_DOMAIN.test(labels[labels.length - 1] ?? "");
  if (!valid) {
    throw new ValidationError(
      "This is not a valid e-mail address: check it and try again, e.g. name@example.com.",
      field,
    );
  }
  return `${local}@${domain}`;
}

/** Amounts are integers in minor units (øre, cents); all three currencies have two decimals. */
import { ValidationError } from "./errors";
import type { Country, Currency, MerchantCountry } from "./types";

/** The payment platform's ceiling for one payment. */
export const MAX_AMOUNT = 65_000_000;

const CURRENCIES: Record<MerchantCountry, Currency> = { NO: "NOK", DK: "DKK", FI: "EUR" };

export function currencyForCountry(country: Country): Currency {
  if (country === "SE") {
    throw new ValidationError(
      "Merchants and sales units exist only in Norway, Denmark and Finland: choose NO, DK or FI.",
      "country",
    );
  }
  return CURRENCIES[country];
}

export function validateAmount(amount: number, field = "amount"): number {
  if (!Number.isInteger(amount)) {
    throw new ValidationError("Give the amount as a whole number of øre or cents, e.g. 10050 for 100,50.", field);
  }
  if (amount <= 0) throw new ValidationError("The amount must be greater than 0: enter a positive amount.", field);
  if (amount > MAX_AMOUNT) {
    throw new ValidationError(
      `The amount is larger than the maximum of ${formatNumber(MAX_AMOUNT)} (${MAX_AMOUNT} in minor units): enter a smaller amount.`,
      field,
    );
  }
  return amount;
}

export function assertCurrencyMatches(currency: Currency, salesUnitCurrency: Currency, field = "currency"): void {
  if (currency !== salesUnitCurrency) {
    throw new ValidationError(
      `This sales unit takes payments in ${salesUnitCurrency}, not ${currency}: give the amount in ${salesUnitCurrency}.`,
      field,
    );
  }
}

/** Each currency as its home market writes it, so reports read naturally there. */
const FORMATS: Record<Currency, Intl.NumberFormat> = {
  NOK: twoDecimals("nb-NO"),
  DKK: twoDecimals("da-DK"),
  EUR: twoDecimals("fi-FI"),
};

/**
 * For people and reports: "1 234,50 NOK" (NOK, EUR) or "1.234,50 DKK". Spaces are no-break spaces so an
 * amount never wraps across lines. Sums (bigint) are formatted from their exact decimal text, never via a float.
 */
export function formatAmount(amount: number | bigint, currency: Currency): string {
  const value = typeof amount === "bigint" ? (formatMinorUnits(amount) as Intl.StringNumericLiteral) : amount / 100;
  return `${FORMATS[currency].format(value)}\u00a0${currency}`;
}

/** "123.45" from 12345: exact decimal text, no floating point; sums past 2^53 stay exact as bigint. */
export function formatMinorUnits(amount: number | bigint): string {
  const value = BigInt(amount);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/**
 * Sums and totals (aggregates, report totals, settlement totals) are 64-bit integers of minor units: a bigint in
 * code, `bigint` / `int8` in PostgreSQL, and the `MinorUnits` scalar (a decimal string) in GraphQL. Single payment
 * amounts stay 32-bit (MAX_AMOUNT bounds them); anything that adds amounts up uses this type.
 */
export type MinorSum = bigint;

export const MIN_SUM: MinorSum = -(2n ** 63n);
export const MAX_SUM: MinorSum = 2n ** 63n - 1n;

/**
 * A sum from what a driver or a client hands over: a bigint, a safe integer, or a string of digits (PostgreSQL's
 * `sum(int)` and `int8` as text). Throws a ValidationError on anything else or outside the 64-bit range.
 */
export function toMinorSum(value: bigint | number | string, field = "amount"): MinorSum {
  let sum: bigint;
  if (typeof value === "bigint") sum = value;
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new ValidationError("Give a sum as a whole number of øre or cents.", field);
    sum = BigInt(value);
  } else {
    if (!/^-?[0-9]{1,19}$/.test(value)) throw new ValidationError("Give a sum as a string of digits in minor units, e.g. \"2147483648\".", field);
    sum = BigInt(value);
  }
  if (sum < MIN_SUM || sum > MAX_SUM) throw new ValidationError("The sum is outside the 64-bit range.", field);
  return sum;
}

/** Adds amounts or sums exactly. */
export function addSums(...values: readonly (number | bigint)[]): MinorSum {
  return values.reduce<bigint>((total, value) => total + BigInt(value), 0n);
}

function formatNumber(amount: number): string {
  return FORMATS.NOK.format(amount / 100);
}

function twoDecimals(locale: string): Intl.NumberFormat {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

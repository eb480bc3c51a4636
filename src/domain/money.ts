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
 * amount never wraps across lines.
 */
export function formatAmount(amount: number, currency: Currency): string {
  return `${FORMATS[currency].format(amount / 100)}\u00a0${currency}`;
}

/** "123.45" from 12345: exact decimal text, no floating point. */
export function formatMinorUnits(amount: number): string {
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

function formatNumber(amount: number): string {
  return FORMATS.NOK.format(amount / 100);
}

function twoDecimals(locale: string): Intl.NumberFormat {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

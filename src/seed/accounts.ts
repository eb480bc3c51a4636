/**
 * Settlement accounts for the demo, in the form `validateSettlementAccount` stores: NO 11 digits with the
 * mod-11 check digit, DK registration number and account, FI an IBAN with its mod-97 check digits.
 */
import { mod11CheckDigit, mod97 } from "../domain/checksums";
import { ValidationError } from "../domain/errors";
import { validateSettlementAccount } from "../domain/identifiers";
import { randomDigits } from "../domain/random";
import type { MerchantCountry } from "../domain/types";
import type { Random } from "./random";

const NO_ACCOUNT_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/** `count` digits without a leading zero. */
function digits(rng: Random, count: number): string {
  return String(rng.int(1, 9)) + randomDigits(rng.next, count - 1);
}

function candidate(rng: Random, country: MerchantCountry): string {
  switch (country) {
    case "NO": {
      const payload = digits(rng, 10);
      return payload + String(mod11CheckDigit(payload, NO_ACCOUNT_WEIGHTS) ?? 0);
    }
    case "DK":
      return `${digits(rng, 4)}-${digits(rng, 10)}`;
    case "FI": {
      const bban = digits(rng, 14);
      return `FI${String(98 - mod97(`${bban}151800`)).padStart(2, "0")}${bban}`;
    }
  }
}

/** A valid account of `country`; a Norwegian draw whose check digit would be 10 (never issued) is drawn again. */
export function settlementAccount(rng: Random, country: MerchantCountry): string {
  for (;;) {
    const account = candidate(rng, country);
    try {
      return validateSettlementAccount(country, account);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }
}

/**
 * The check-digit schemes behind Nordic identity, organisation and account numbers. Hand-written because
 * each is a few lines of well-specified arithmetic and one shared implementation keeps them consistent.
 */

/**
 * The mod-11 check digit used by Norwegian fødselsnummer, organisation and account numbers: `null` when the
 * remainder gives 10, because such numbers are never issued.
 */
export function mod11CheckDigit(digits: string, weights: readonly number[]): number | null {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * (weights[i] ?? 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

/** Luhn (mod-10) check digit for `payload`, the digits before the check digit. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = Number(payload[payload.length - 1 - i]);
    const weighted = i % 2 === 0 ? digit * 2 : digit;
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return (10 - (sum % 10)) % 10;
}

/** ISO 7064 mod-97 of a string of digits, computed in chunks so no precision is lost. */
export function mod97(digits: string): number {
  let remainder = 0;
  for (let i = 0; i < digits.length; i += 7) remainder = Number(String(remainder) + digits.slice(i, i + 7)) % 97;
  return remainder;
}

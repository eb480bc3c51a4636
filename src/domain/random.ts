import { randomInt as cryptoRandomInt } from "node:crypto";
import type { Rng } from "./types";

const SECURE_RANGE = 2 ** 48 - 1;

/** For values that must not be guessable from earlier ones (test users' NINs and numbers): the OS's CSPRNG. */
export const secureRng: Rng = () => cryptoRandomInt(SECURE_RANGE) / SECURE_RANGE;

/** Without look-alikes (0/O, 1/l/I), since people read links aloud and type them from paper. */
export const SLUG_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Integer in [min, max], both inclusive. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.min(max - min, Math.floor(rng() * (max - min + 1)));
}

export function randomDigits(rng: Rng, count: number): string {
  let digits = "";
  for (let i = 0; i < count; i++) digits += String(randomInt(rng, 0, 9));
  return digits;
}

export function randomString(rng: Rng, length: number, alphabet: string): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet.charAt(randomInt(rng, 0, alphabet.length - 1));
  return out;
}

export function pick<T>(rng: Rng, items: readonly [T, ...T[]]): T {
  return items[randomInt(rng, 0, items.length - 1)] ?? items[0];
}

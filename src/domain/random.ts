import type { Rng } from "./types";

/** Integer in [min, max], both inclusive. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.min(max - min, Math.floor(rng() * (max - min + 1)));
}

export function randomDigits(rng: Rng, count: number): string {
  let digits = "";
  for (let i = 0; i < count; i++) digits += String(randomInt(rng, 0, 9));
  return digits;
}

export function pick<T>(rng: Rng, items: readonly [T, ...T[]]): T {
  return items[randomInt(rng, 0, items.length - 1)] ?? items[0];
}

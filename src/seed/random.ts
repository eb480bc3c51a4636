/**
 * A seeded random source for the demo data. Hand-written mulberry32 because it is four lines, fast, and
 * gives the same sequence on every machine and Node version (Math.random cannot be seeded).
 */
import { pick, randomInt, randomString, SLUG_ALPHABET } from "../domain/random";
import type { Rng } from "../domain/types";

export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Convenience draws on top of an Rng; every method consumes the same stream, so call order matters. */
export class Random {
  constructor(readonly next: Rng) {}

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return randomInt(this.next, min, max);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (!isNonEmpty(items)) throw new Error("pick from an empty list");
    return pick(this.next, items);
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error("weighted pick from an empty list");
    return last[0];
  }

  /** A version-4-shaped UUID from the seeded stream, so row ids are the same on every seed. */
  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 4; i++) hex.push(Math.floor(this.next() * 4294967296).toString(16).padStart(8, "0"));
    const h = hex.join("");
    const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Random string over `alphabet`. */
  string(length: number, alphabet = SLUG_ALPHABET): string {
    return randomString(this.next, length, alphabet);
  }
}

function isNonEmpty<T>(items: readonly T[]): items is readonly [T, ...T[]] {
  return items.length > 0;
}

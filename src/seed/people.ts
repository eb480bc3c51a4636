/** People of the demo: valid NINs and phone numbers come from the domain generators, names from the catalog. */
import type { Country } from "../generated/prisma/enums";
import { generateNin } from "../domain/nin";
import { generatePhoneNumber } from "../domain/phone";
import { NAMES } from "./catalog";
import { EMAIL_DOMAINS } from "./products";
import type { Random } from "./random";

export interface Person {
  name: string;
  country: Country;
  nin: string;
  phoneNumber: string;
}

/** Hands out NINs and phone numbers that are unique across the whole seed (both are unique columns). */
export class Population {
  private nins = new Set<string>();
  private phones = new Set<string>();

  constructor(private readonly rng: Random) {}

  nin(country: Country, birthDate?: Date): string {
    for (;;) {
      const nin = generateNin(country, this.rng.next, birthDate ? { birthDate } : undefined);
      if (!this.nins.has(nin)) {
        this.nins.add(nin);
        return nin;
      }
    }
  }

  phone(country: Country): string {
    for (;;) {
      const phone = generatePhoneNumber(country, this.rng.next);
      if (!this.phones.has(phone)) {
        this.phones.add(phone);
        return phone;
      }
    }
  }

  name(country: Country): string {
    const names = NAMES[country];
    return `${this.rng.pick(names.first)} ${this.rng.pick(names.last)}`;
  }

  /** A birth date of an adult between 20 and 75 years old at `now`. */
  birthDate(now: Date): Date {
    const years = this.rng.int(20, 75);
    const day = this.rng.int(0, 364);
    return new Date(Date.UTC(now.getUTCFullYear() - years, 0, 1 + day));
  }

  person(country: Country, now: Date): Person {
    return { name: this.name(country), country, nin: this.nin(country, this.birthDate(now)), phoneNumber: this.phone(country) };
  }
}

const FOLD: Record<string, string> = { æ: "ae", ø: "o", å: "a", ä: "a", ö: "o", é: "e", ü: "u" };

/** `Kari Økland` → `kari.okland@<domain>`: e-mail addresses keep to ASCII. */
export function emailFor(rng: Random, name: string, country: Country): string {
  const local = name
    .toLowerCase()
    .replace(/[æøåäöéü]/g, (char) => FOLD[char] ?? char)
    .replace(/[^a-z ]/g, "")
    .trim()
    .split(/\s+/)
    .join(".");
  const suffix = rng.chance(0.4) ? String(rng.int(1, 99)) : "";
  return `${local}${suffix}@${rng.pick(EMAIL_DOMAINS[country])}`;
}

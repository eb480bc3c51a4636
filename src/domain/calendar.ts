/**
 * Banking days and settlement dates. Days are plain "YYYY-MM-DD" strings throughout (store one in a `@db.Date`
 * column as `dateOfDay(day)`, read one back with `dayOf`): they compare with `<` and never shift with a time zone. Only
 * `ledgerDay` looks at an instant, and it reads it in Oslo time, where the ledger day runs.
 */
import Holidays from "date-holidays";
import { ValidationError } from "./errors";
import type { MerchantCountry } from "./types";

export type SettlementFrequency = "DAILY" | "WEEKLY" | "MONTHLY";

export interface SettlementPeriod {
  periodStart: string;
  periodEnd: string;
}

/** Product orders promise a new sales unit within 10 working days. */
export const PRODUCT_ORDER_WORKING_DAYS = 10;

const DAY_MS = 86_400_000;

const OSLO = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Oslo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The ledger day an instant belongs to: midnight to midnight Oslo time. */
export function ledgerDay(instant: Date): string {
  const parts = Object.fromEntries(OSLO.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Checks a day given as input (e.g. a report period) and returns it unchanged. */
export function parseDay(value: string, field = "date"): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const valid = match !== null && dayOf(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))) === value;
  if (!valid) throw new ValidationError("Write the date as YYYY-MM-DD, e.g. 2025-05-17, and use a real date.", field);
  return value;
}

export function isBankingDay(day: string, country: MerchantCountry): boolean {
  const weekday = dayOfWeek(parseDay(day));
  return weekday !== 0 && weekday !== 6 && !bankHolidays(country, Number(day.slice(0, 4))).has(day);
}

/** `day` itself when it is a banking day, else the first banking day after it. */
export function nextBankingDay(day: string, country: MerchantCountry): string {
  let candidate = parseDay(day);
  while (!isBankingDay(candidate, country)) candidate = addDays(candidate, 1);
  return candidate;
}

/** The `n`th banking day after `day` (not counting `day` itself); `n = 0` gives `day`. */
export function addBankingDays(day: string, n: number, country: MerchantCountry): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`addBankingDays counts forward only; got ${n}.`);
  let result = parseDay(day);
  let counted = 0;
  while (counted < n) {
    result = addDays(result, 1);
    if (isBankingDay(result, country)) counted++;
  }
  return result;
}

/** The period a ledger day settles in: the day itself, its Monday–Sunday week, or its calendar month. */
export function settlementPeriod(day: string, frequency: SettlementFrequency): SettlementPeriod {
  parseDay(day);
  switch (frequency) {
    case "DAILY":
      return { periodStart: day, periodEnd: day };
    case "WEEKLY": {
      const periodStart = addDays(day, -((dayOfWeek(day) + 6) % 7));
      return { periodStart, periodEnd: addDays(periodStart, 6) };
    }
    case "MONTHLY":
      return { periodStart: `${day.slice(0, 7)}-01`, periodEnd: addDays(firstOfNextMonth(day), -1) };
  }
}

/**
 * When a period's money reaches the merchant: daily on the second banking day after the day (so Friday,
 * Saturday and Sunday all land on Tuesday), weekly on the Monday after the week, monthly on the 1st of the
 * next month; the last two move to the next banking day when they fall on a weekend or holiday.
 */
export function payoutDate(periodEnd: string, frequency: SettlementFrequency, country: MerchantCountry): string {
  parseDay(periodEnd);
  switch (frequency) {
    case "DAILY":
      return addBankingDays(periodEnd, 2, country);
    case "WEEKLY":
      return nextBankingDay(addDays(periodEnd, 7 - ((dayOfWeek(periodEnd) + 6) % 7)), country);
    case "MONTHLY":
      return nextBankingDay(firstOfNextMonth(periodEnd), country);
  }
}

/**
 * The expected-by date shown on a product order: `workingDays` banking days after the ledger day of
 * `placedAt`, e.g. `expectedByDate(order.createdAt, PRODUCT_ORDER_WORKING_DAYS, "NO")`.
 */
export function expectedByDate(placedAt: Date, workingDays: number, country: MerchantCountry): string {
  return addBankingDays(ledgerDay(placedAt), workingDays, country);
}

const calendars = new Map<MerchantCountry, Holidays>();
const holidaysByYear = new Map<string, ReadonlySet<string>>();

/**
 * Public holidays plus the days banks close although the law does not make them holidays: Christmas Eve in all
 * three, New Year's Eve in NO and DK, Midsummer Eve in FI, Constitution Day and the Friday after Ascension in DK.
 * date-holidays marks the Norwegian and Finnish ones as bank days but not the Danish ones, so those are added here.
 * It also marks New Year's Eve in FI, where it is a banking day (Finance Finland's non-banking days do not list it;
 * payments settle, branches close early), so that one is left out.
 */
function calendarFor(country: MerchantCountry): Holidays {
  let calendar = calendars.get(country);
  if (!calendar) {
    calendar = new Holidays(country);
    if (country === "DK") {
      calendar.setHoliday("06-05", { name: "Grundlovsdag", type: "bank" });
      calendar.setHoliday("easter 40", { name: "Banklukkedag", type: "bank" });
      calendar.setHoliday("12-24", { name: "Juleaftensdag", type: "bank" });
      calendar.setHoliday("12-31", { name: "Nytårsaftensdag", type: "bank" });
    }
    calendars.set(country, calendar);
  }
  return calendar;
}

function bankHolidays(country: MerchantCountry, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let days = holidaysByYear.get(key);
  if (!days) {
    days = new Set(
      calendarFor(country)
        .getHolidays(year)
        .filter((holiday) => (holiday.type === "public" || holiday.type === "bank") && !(country === "FI" && holiday.rule === "12-31"))
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    holidaysByYear.set(key, days);
  }
  return days;
}

/** The UTC calendar day of a Date, e.g. of a `@db.Date` column's value. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The day as a Date at midnight UTC, the value a `@db.Date` column takes. */
export function dateOfDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** `n` calendar days after `day` (before it for a negative `n`). */
export function addDays(day: string, n: number): string {
  return dayOf(new Date(dateOfDay(day).getTime() + n * DAY_MS));
}

/** 0 = Sunday … 6 = Saturday. */
function dayOfWeek(day: string): number {
  return dateOfDay(day).getUTCDay();
}

function firstOfNextMonth(day: string): string {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return dayOf(new Date(Date.UTC(year, month, 1)));
}

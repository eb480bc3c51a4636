import { describe, expect, it } from "vitest";
import {
  addBankingDays,
  addDays,
  dateOfDay,
  dayOf,
  expectedByDate,
  isBankingDay,
  ledgerDay,
  nextBankingDay,
  parseDay,
  payoutDate,
  PRODUCT_ORDER_WORKING_DAYS,
  settlementPeriod,
} from "../../src/domain/calendar";
import { ValidationError } from "../../src/domain/errors";

describe("ledgerDay", () => {
  it("ends the day at midnight Oslo time in winter", () => {
    expect(ledgerDay(new Date("2025-01-15T22:59:59.999Z"))).toBe("2025-01-15");
    expect(ledgerDay(new Date("2025-01-15T23:00:00.000Z"))).toBe("2025-01-16");
  });

  it("ends the day at midnight Oslo summer time", () => {
    expect(ledgerDay(new Date("2025-03-30T21:59:59.999Z"))).toBe("2025-03-30");
    expect(ledgerDay(new Date("2025-03-30T22:00:00.000Z"))).toBe("2025-03-31");
  });
});

describe("days as strings", () => {
  it("moves by calendar days across month, year and leap-day boundaries, backwards too", () => {
    expect(addDays("2025-01-31", 1)).toBe("2025-02-01");
    expect(addDays("2025-01-01", -1)).toBe("2024-12-31");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-03-30", 1)).toBe("2025-03-31");
  });

  it("stores a day as midnight UTC and reads the same day back", () => {
    expect(dateOfDay("2025-05-17").toISOString()).toBe("2025-05-17T00:00:00.000Z");
    expect(dayOf(dateOfDay("2025-05-17"))).toBe("2025-05-17");
    expect(dayOf(new Date("2025-05-17T23:59:59.999Z"))).toBe("2025-05-17");
  });
});

describe("banking days", () => {
  it("excludes weekends", () => {
    expect(isBankingDay("2025-03-07", "NO")).toBe(true);
    expect(isBankingDay("2025-03-08", "NO")).toBe(false);
    expect(isBankingDay("2025-03-09", "DK")).toBe(false);
  });

  it("excludes Easter in every market, and Maundy Thursday in Norway and Denmark only", () => {
    for (const country of ["NO", "DK", "FI"] as const) {
      expect(isBankingDay("2025-04-18", country)).toBe(false);
      expect(isBankingDay("2025-04-21", country)).toBe(false);
    }
    expect(isBankingDay("2025-04-17", "NO")).toBe(false);
    expect(isBankingDay("2025-04-17", "DK")).toBe(false);
    expect(isBankingDay("2025-04-17", "FI")).toBe(true);
  });

  it("excludes Christmas Eve, Christmas and New Year's Day, and New Year's Eve in Norway and Denmark", () => {
    for (const country of ["NO", "DK", "FI"] as const) {
      for (const day of ["2025-12-24", "2025-12-25", "2025-12-26", "2026-01-01"]) {
        expect(isBankingDay(day, country)).toBe(false);
      }
    }
    expect(isBankingDay("2025-12-31", "NO")).toBe(false);
    expect(isBankingDay("2025-12-31", "DK")).toBe(false);
    // Finnish banks settle on New Year's Eve (branches close early): a daily payout of the 29th comes on the 31st.
    expect(isBankingDay("2025-12-31", "FI")).toBe(true);
    expect(payoutDate("2025-12-29", "DAILY", "FI")).toBe("2025-12-31");
  });

  it("excludes 17 May in Norway only", () => {
    expect(isBankingDay("2021-05-17", "NO")).toBe(false);
    expect(isBankingDay("2021-05-17", "DK")).toBe(true);
    expect(isBankingDay("2021-05-17", "FI")).toBe(true);
  });

  it("excludes Grundlovsdag and the Friday after Ascension in Denmark only", () => {
    expect(isBankingDay("2025-06-05", "DK")).toBe(false);
    expect(isBankingDay("2025-06-05", "NO")).toBe(true);
    expect(isBankingDay("2025-05-30", "DK")).toBe(false);
    expect(isBankingDay("2025-05-30", "NO")).toBe(true);
  });

  it("knows Denmark abolished Store Bededag after 2023", () => {
    expect(isBankingDay("2023-05-05", "DK")).toBe(false);
    expect(isBankingDay("2024-04-26", "DK")).toBe(true);
  });

  it("excludes Midsummer Eve in Finland only", () => {
    expect(isBankingDay("2025-06-20", "FI")).toBe(false);
    expect(isBankingDay("2025-06-20", "NO")).toBe(true);
  });

  it("gives the day itself when it is a banking day, else the next one", () => {
    expect(nextBankingDay("2025-03-07", "NO")).toBe("2025-03-07");
    expect(nextBankingDay("2025-03-08", "NO")).toBe("2025-03-10");
    expect(nextBankingDay("2025-12-24", "NO")).toBe("2025-12-29");
  });

  it("counts banking days after the day, not the day itself", () => {
    expect(addBankingDays("2025-03-05", 0, "NO")).toBe("2025-03-05");
    expect(addBankingDays("2025-03-05", 1, "NO")).toBe("2025-03-06");
    expect(addBankingDays("2025-03-06", 2, "NO")).toBe("2025-03-10");
    expect(() => addBankingDays("2025-03-06", -1, "NO")).toThrow(RangeError);
  });

  it("refuses a day that is not a real YYYY-MM-DD date", () => {
    for (const day of ["2025-02-30", "2025-2-3", "03.05.2025", ""]) {
      expect(() => isBankingDay(day, "NO")).toThrow(ValidationError);
    }
    expect(parseDay("2024-02-29")).toBe("2024-02-29");
  });
});

describe("settlementPeriod", () => {
  it("settles a daily period on its own day", () => {
    expect(settlementPeriod("2025-03-05", "DAILY")).toEqual({ periodStart: "2025-03-05", periodEnd: "2025-03-05" });
  });

  it("puts a day in its Monday-to-Sunday week", () => {
    const week = { periodStart: "2025-03-03", periodEnd: "2025-03-09" };
    expect(settlementPeriod("2025-03-03", "WEEKLY")).toEqual(week);
    expect(settlementPeriod("2025-03-05", "WEEKLY")).toEqual(week);
    expect(settlementPeriod("2025-03-09", "WEEKLY")).toEqual(week);
    expect(settlementPeriod("2025-03-10", "WEEKLY").periodStart).toBe("2025-03-10");
  });

  it("lets a week run across the new year", () => {
    expect(settlementPeriod("2025-12-31", "WEEKLY")).toEqual({ periodStart: "2025-12-29", periodEnd: "2026-01-04" });
  });

  it("puts a day in its calendar month, including 29 February", () => {
    expect(settlementPeriod("2024-02-15", "MONTHLY")).toEqual({ periodStart: "2024-02-01", periodEnd: "2024-02-29" });
    expect(settlementPeriod("2025-12-31", "MONTHLY")).toEqual({ periodStart: "2025-12-01", periodEnd: "2025-12-31" });
  });
});

describe("payoutDate", () => {
  it("pays Friday, Saturday and Sunday on Tuesday in a normal week", () => {
    for (const day of ["2025-03-07", "2025-03-08", "2025-03-09"]) {
      expect(payoutDate(day, "DAILY", "NO")).toBe("2025-03-11");
    }
    expect(payoutDate("2025-03-06", "DAILY", "NO")).toBe("2025-03-10");
  });

  it("moves daily payouts past Easter", () => {
    expect(payoutDate("2025-04-16", "DAILY", "NO")).toBe("2025-04-23");
    expect(payoutDate("2025-04-16", "DAILY", "FI")).toBe("2025-04-22");
  });

  it("moves daily payouts past Christmas", () => {
    expect(payoutDate("2025-12-23", "DAILY", "DK")).toBe("2025-12-30");
  });

  it("moves a Finnish daily payout past Midsummer Eve", () => {
    expect(payoutDate("2025-06-18", "DAILY", "FI")).toBe("2025-06-23");
    expect(payoutDate("2025-06-18", "DAILY", "NO")).toBe("2025-06-20");
  });

  it("pays a week on the following Monday", () => {
    expect(payoutDate("2025-03-09", "WEEKLY", "NO")).toBe("2025-03-10");
  });

  it("moves a weekly payout from 17 May to Tuesday in Norway, not in Denmark", () => {
    expect(payoutDate("2021-05-16", "WEEKLY", "NO")).toBe("2021-05-18");
    expect(payoutDate("2021-05-16", "WEEKLY", "DK")).toBe("2021-05-17");
  });

  it("moves a weekly payout from Grundlovsdag to the next day in Denmark", () => {
    expect(payoutDate("2023-06-04", "WEEKLY", "DK")).toBe("2023-06-06");
    expect(payoutDate("2023-06-04", "WEEKLY", "NO")).toBe("2023-06-05");
  });

  it("moves a weekly payout from Easter Monday", () => {
    expect(payoutDate("2025-04-20", "WEEKLY", "FI")).toBe("2025-04-22");
  });

  it("pays a month on the 1st of the next month", () => {
    expect(payoutDate("2025-11-30", "MONTHLY", "NO")).toBe("2025-12-01");
  });

  it("moves a monthly payout from New Year's Day, a Sunday and Easter Monday", () => {
    expect(payoutDate("2025-12-31", "MONTHLY", "FI")).toBe("2026-01-02");
    expect(payoutDate("2025-05-31", "MONTHLY", "DK")).toBe("2025-06-02");
    expect(payoutDate("2024-03-31", "MONTHLY", "NO")).toBe("2024-04-02");
  });
});

describe("expectedByDate", () => {
  it("promises a product order ten working days after the day it was placed", () => {
    expect(PRODUCT_ORDER_WORKING_DAYS).toBe(10);
    expect(expectedByDate(new Date("2025-03-03T09:00:00Z"), PRODUCT_ORDER_WORKING_DAYS, "NO")).toBe("2025-03-17");
  });

  it("skips Easter and 1 May", () => {
    expect(expectedByDate(new Date("2025-04-14T09:00:00Z"), 10, "NO")).toBe("2025-05-02");
  });

  it("counts from the Oslo day of an order placed late in the evening", () => {
    expect(expectedByDate(new Date("2025-03-02T23:30:00Z"), 1, "NO")).toBe("2025-03-04");
  });
});

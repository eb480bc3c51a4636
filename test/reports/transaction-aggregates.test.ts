/**
 * Dashboard figures: `transactionAggregates` over the real database (one statement, sums past 2^31 exact, the same
 * access rules as `transactions`), a property test against a plain recomputation from the rows, and the live
 * subscription after a burst of 1,000 operations.
 */
import { randomBytes } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { captureOneOre, connect, createReservedPayment, waitFor } from "../events/support";

let gateway: TestGateway;
let client: pg.Client;
let merchantId: string;
let units: { id: string; msn: string; currency: string }[];

const FIGURES = "currency status periodStart salesUnitId count requested { minor } captured { minor } refunded { minor } cancelled { minor }";
const AGGREGATES = `totals { ${FIGURES} } byStatus { ${FIGURES} } byPeriod { ${FIGURES} } bySalesUnit { ${FIGURES} }`;
const QUERY = `query($filter: TransactionFilter, $interval: AggregateInterval) { transactionAggregates(filter: $filter, interval: $interval) { ${AGGREGATES} } }`;

interface FigureData {
  currency: string;
  status: string | null;
  periodStart: string | null;
  salesUnitId: string | null;
  count: number;
  requested: { minor: string };
  captured: { minor: string };
  refunded: { minor: string };
  cancelled: { minor: string };
}
type AggregateData = Record<"totals" | "byStatus" | "byPeriod" | "bySalesUnit", FigureData[]>;

beforeAll(async () => {
  gateway = await startTestGateway({ RATE_LIMIT_PER_MINUTE: "1000000", RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "1000000" });
  client = new pg.Client({ connectionString: gateway.databaseUrl });
  await client.connect();
  const merchant = await gateway.services.db.merchant.findFirstOrThrow({ where: { name: "Fjordkaffe AS" } });
  merchantId = merchant.id;
  units = await gateway.services.db.salesUnit.findMany({ where: { merchantId, environment: "PRODUCTION" }, select: { id: true, msn: true, currency: true }, orderBy: { msn: "asc" } });
}, 120_000);

afterAll(async () => {
  await client?.end();
  await gateway?.stop();
});

async function aggregates(token: string, filter: Record<string, unknown>, interval = "DAY"): Promise<AggregateData> {
  const response = await gateway.graphql<{ transactionAggregates: AggregateData }>(token, QUERY, { filter, interval });
  if (!response.data?.transactionAggregates) throw new Error(JSON.stringify(response.errors));
  return response.data.transactionAggregates;
}

interface Insert {
  unit: number;
  status: "REQUESTED" | "RESERVED" | "CAPTURED" | "REFUNDED" | "CANCELLED" | "EXPIRED" | "REJECTED";
  amount: number;
  captured: number;
  refunded: number;
  cancelled: number;
  createdAt: Date;
}

/** Rows written straight into the table (with any creation time), as a migration or an import would. */
async function insert(rows: Insert[]): Promise<void> {
  for (const row of rows) {
    const unit = units[row.unit % units.length]!;
    await client.query(
      `INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, currency, amount, "authorizedAmount", "capturedAmount", "refundedAmount", "cancelledAmount", status, "createdAt", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"Currency", $5, $5, $6, $7, $8, $9::"TransactionStatus", $10::timestamp, $10::timestamp)`,
      [merchantId, unit.id, `agg-${randomBytes(8).toString("hex")}`, unit.currency, row.amount, row.captured, row.refunded, row.cancelled, row.status, row.createdAt.toISOString()],
    );
  }
}

describe("transactionAggregates", () => {
  it("adds sums past 2^31 exactly and answers them as decimal strings in one SQL statement", async () => {
    const token = await gateway.token("no-admin");
    const day = new Date("2024-03-14T11:00:00.000Z");
    // 40 × 65 000 000 = 2 600 000 000 minor units, past 2^31 = 2 147 483 648.
    await insert(Array.from({ length: 40 }, () => ({ unit: 0, status: "CAPTURED" as const, amount: 65_000_000, captured: 65_000_000, refunded: 0, cancelled: 0, createdAt: day })));
    const filter = { merchantId: encodeGlobalID("Merchant", merchantId), createdFrom: "2024-03-14T00:00:00.000Z", createdTo: "2024-03-15T00:00:00.000Z" };
    gateway.resetQueries();
    const figures = await aggregates(token, filter);
    expect(gateway.queries.filter((sql) => sql.includes('"Transaction"'))).toHaveLength(1);
    expect(figures.totals).toEqual([expect.objectContaining({ currency: "NOK", count: 40, requested: { minor: "2600000000" }, captured: { minor: "2600000000" } })]);
    expect(figures.byPeriod).toEqual([expect.objectContaining({ periodStart: "2024-03-14", count: 40 })]);
    expect(figures.byStatus).toEqual([expect.objectContaining({ status: "CAPTURED", count: 40 })]);
    expect(figures.bySalesUnit).toEqual([expect.objectContaining({ salesUnitId: encodeGlobalID("SalesUnit", units[0]!.id), count: 40 })]);

    const formatted = await gateway.graphql<{ transactionAggregates: { totals: { captured: { formatted: string; decimal: string } }[] } }>(
      token,
      "query($filter: TransactionFilter) { transactionAggregates(filter: $filter) { totals { captured { formatted decimal } } } }",
      { filter },
    );
    expect(formatted.data?.transactionAggregates.totals[0]?.captured).toEqual({ formatted: "26\u00a0000\u00a0000,00\u00a0NOK", decimal: "26000000.00" });
  });

  it("counts a payment in the day of the merchant's time zone, not UTC's", async () => {
    const token = await gateway.token("no-admin");
    // 23:30 UTC on 1 July is 01:30 on 2 July in Oslo (summer time).
    await insert([{ unit: 0, status: "RESERVED", amount: 100, captured: 0, refunded: 0, cancelled: 0, createdAt: new Date("2024-07-01T23:30:00.000Z") }]);
    const figures = await aggregates(token, { merchantId: encodeGlobalID("Merchant", merchantId), createdFrom: "2024-07-01T12:00:00.000Z", createdTo: "2024-07-02T12:00:00.000Z" });
    expect(figures.byPeriod.map((p) => p.periodStart)).toEqual(["2024-07-02"]);
  });

  it("sees only what the caller may see: another merchant's Administrator gets nothing of this merchant", async () => {
    const filter = { merchantId: encodeGlobalID("Merchant", merchantId) };
    const mine = await aggregates(await gateway.token("no-admin"), filter);
    const theirs = await aggregates(await gateway.token("dk-admin"), filter);
    expect(mine.totals.length).toBeGreaterThan(0);
    expect(theirs).toEqual({ totals: [], byStatus: [], byPeriod: [], bySalesUnit: [] });
  });

  it("refuses callers without a token", async () => {
    const response = await gateway.graphql(null, QUERY, {});
    expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

/** The time zone of a currency's market, and the local day of an instant there. */
const ZONES: Record<string, string> = { NOK: "Europe/Oslo", DKK: "Europe/Copenhagen", EUR: "Europe/Helsinki" };
function localPeriod(iso: string, currency: string, interval: string): string {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: ZONES[currency], year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
  if (interval === "MONTH") return `${day.slice(0, 7)}-01`;
  if (interval === "DAY") return day;
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

interface RawRow {
  created: string;
  currency: string;
  status: string;
  salesUnitId: string;
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  cancelledAmount: number;
}

/** The expected figures, recomputed in the plainest way: every row read, grouped and summed here. */
function recompute(rows: RawRow[], interval: string): AggregateData {
  const groups = (keyOf: (row: RawRow) => Partial<FigureData>) => {
    const map = new Map<string, { key: Partial<FigureData>; count: number; sums: bigint[] }>();
    for (const row of rows) {
      const key = { currency: row.currency, ...keyOf(row) };
      const id = JSON.stringify(key);
      const entry = map.get(id) ?? { key, count: 0, sums: [0n, 0n, 0n, 0n] };
      entry.count += 1;
      [row.amount, row.capturedAmount, row.refundedAmount, row.cancelledAmount].forEach((value, i) => {
        entry.sums[i]! += BigInt(value);
      });
      map.set(id, entry);
    }
    return [...map.values()]
      .map(({ key, count, sums }) => ({
        currency: key.currency!,
        status: key.status ?? null,
        periodStart: key.periodStart ?? null,
        salesUnitId: key.salesUnitId ?? null,
        count,
        requested: { minor: sums[0]!.toString() },
        captured: { minor: sums[1]!.toString() },
        refunded: { minor: sums[2]!.toString() },
        cancelled: { minor: sums[3]!.toString() },
      }))
      .sort((a, b) => JSON.stringify([a.currency, a.status, a.periodStart, a.salesUnitId]).localeCompare(JSON.stringify([b.currency, b.status, b.periodStart, b.salesUnitId])));
  };
  return {
    totals: groups(() => ({})),
    byStatus: groups((row) => ({ status: row.status })),
    byPeriod: groups((row) => ({ periodStart: localPeriod(row.created, row.currency, interval) })),
    bySalesUnit: groups((row) => ({ salesUnitId: encodeGlobalID("SalesUnit", row.salesUnitId) })),
  };
}

const sorted = (data: AggregateData): AggregateData => {
  const order = (list: FigureData[]) =>
    [...list].sort((a, b) => JSON.stringify([a.currency, a.status, a.periodStart, a.salesUnitId]).localeCompare(JSON.stringify([b.currency, b.status, b.periodStart, b.salesUnitId])));
  return { totals: order(data.totals), byStatus: order(data.byStatus), byPeriod: order(data.byPeriod), bySalesUnit: order(data.bySalesUnit) };
};

describe("transactionAggregates, property", () => {
  const statusWithAmounts = fc
    .record({
      status: fc.constantFrom("REQUESTED", "RESERVED", "CAPTURED", "REFUNDED", "CANCELLED", "EXPIRED", "REJECTED" as const),
      amount: fc.integer({ min: 1, max: 65_000_000 }),
      unit: fc.nat(10),
      // Any minute of 2023–2025, clustered around midnights so the time zone matters.
      createdAt: fc.oneof(
        fc.date({ min: new Date("2023-01-01T00:00:00Z"), max: new Date("2025-12-31T23:59:59Z"), noInvalidDate: true }),
        fc.tuple(fc.integer({ min: 0, max: 1095 }), fc.integer({ min: -90, max: 90 })).map(([day, minutes]) => new Date(Date.UTC(2023, 0, 1 + day) + minutes * 60_000)),
      ),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ status, amount, unit, createdAt, fraction }): Insert => {
      const part = Math.floor(amount * fraction);
      const captured = status === "CAPTURED" || status === "REFUNDED" ? amount - part : 0;
      return {
        unit,
        status: status as Insert["status"],
        amount,
        captured,
        refunded: status === "REFUNDED" ? Math.max(1, Math.floor(captured * fraction)) : 0,
        cancelled: status === "CANCELLED" ? amount : status === "CAPTURED" ? part : 0,
        createdAt: new Date(Math.floor(createdAt.getTime() / 1000) * 1000),
      };
    });

  it("equals a plain recomputation from the rows after random inserts, for random filters and intervals", async () => {
    const token = await gateway.token("no-admin");
    await fc.assert(
      fc.asyncProperty(
        fc.array(statusWithAmounts, { minLength: 1, maxLength: 12 }),
        fc.constantFrom("DAY", "WEEK", "MONTH"),
        fc.subarray(["REQUESTED", "RESERVED", "CAPTURED", "REFUNDED", "CANCELLED", "EXPIRED", "REJECTED"]),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 400 })), { nil: null }),
        async (rows, interval, statuses, window) => {
          await insert(rows);
          const from = window ? new Date(Date.UTC(2023, 0, 1 + window[0])) : null;
          const to = window ? new Date(from!.getTime() + window[1] * 86_400_000) : null;
          const filter = {
            merchantId: encodeGlobalID("Merchant", merchantId),
            ...(statuses.length > 0 ? { status: statuses } : {}),
            ...(from ? { createdFrom: from.toISOString(), createdTo: to!.toISOString() } : {}),
          };
          const { rows: raw } = await client.query<RawRow>(
            `SELECT to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created, currency::text, status::text, "salesUnitId"::text AS "salesUnitId",
               amount, "capturedAmount", "refundedAmount", "cancelledAmount"
             FROM "Transaction" WHERE "merchantId" = $1
               AND ($2::text[] IS NULL OR status::text = ANY($2::text[]))
               AND ($3::timestamp IS NULL OR "createdAt" >= $3::timestamp) AND ($4::timestamp IS NULL OR "createdAt" < $4::timestamp)`,
            [merchantId, statuses.length > 0 ? statuses : null, from?.toISOString() ?? null, to?.toISOString() ?? null],
          );
          expect(sorted(await aggregates(token, filter, interval))).toEqual(recompute(raw, interval));
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe("transactionAggregates subscription", () => {
  it("pushes figures that equal a fresh query after a burst of 1,000 operations", async () => {
    const token = await gateway.token("no-admin");
    const filter = { merchantId: encodeGlobalID("Merchant", merchantId) };
    const connection = connect(gateway.url, token);
    const pushed: AggregateData[] = [];
    const errors: unknown[] = [];
    const stop = connection.client.subscribe<{ transactionAggregates: AggregateData }>(
      { query: `subscription($filter: TransactionFilter) { transactionAggregates(filter: $filter, interval: DAY) { ${AGGREGATES} } }`, variables: { filter } },
      { next: (result) => (result.data ? pushed.push(result.data.transactionAggregates) : errors.push(result.errors)), error: (error) => errors.push(error), complete: () => undefined },
    );
    try {
      await waitFor("the first figures", () => pushed.length > 0);
      const payments = await Promise.all(Array.from({ length: 10 }, () => createReservedPayment(gateway.services.db, units[0]!.msn)));
      // 10 workers, 100 captures each, all at once: 1,000 operations (and their events) in a burst.
      await Promise.all(payments.map(async (payment) => {
        for (let i = 0; i < 100; i++) await captureOneOre(gateway.services.db, payment.id);
      }));
      const fresh = await aggregates(token, filter, "DAY");
      const captured = (data: AggregateData) => data.totals.find((t) => t.currency === "NOK")?.captured.minor;
      await waitFor("figures that include the last capture", () => captured(pushed[pushed.length - 1]!) === captured(fresh), 30_000);
      expect(pushed[pushed.length - 1]).toEqual(fresh);
      expect(errors).toEqual([]);
      // Coalesced: far fewer pushes than events, yet the last one is current.
      expect(pushed.length).toBeLessThan(1_000);
    } finally {
      stop();
      await connection.dispose();
    }
  }, 120_000);

  it("refuses a subscriber who may see no transactions", async () => {
    const connection = connect(gateway.url, await gateway.token("applicant"));
    const errors: { extensions?: { code?: string } }[] = [];
    connection.client.subscribe({ query: "subscription { transactionAggregates { totals { count } } }" }, {
      next: (result) => errors.push(...((result.errors ?? []) as never[])),
      error: (error) => errors.push(...(Array.isArray(error) ? error : [error])),
      complete: () => undefined,
    });
    try {
      await waitFor("the refusal", () => errors.length > 0);
      expect(errors[0]?.extensions?.code).toBe("FORBIDDEN");
    } finally {
      await connection.dispose();
    }
  });
});

/**
 * The benchmark's own database: merchants, sales units, portal users with memberships, and months of payments with
 * their operation history, streamed in with COPY. Generated once per set of parameters: a marker table keeps the
 * parameters, and a database whose marker matches is reused as it is (generation is the slow part of a run).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createDatabase, databaseUrlWithName, dropDatabase, ensureDatabase, withClient } from "../src/db/admin";
import { applyMigrations } from "../src/db/migrate";

export interface DatasetParameters {
  merchants: number;
  salesUnits: number;
  transactions: number;
  months: number;
  /** RESERVED payments with a large amount that the capture scenario (M1) takes small bites out of. */
  capturePool: number;
  seed: number;
  /** Bumped whenever the generator below starts writing different rows for the same numbers. */
  generator: number;
}

export const DEFAULT_PARAMETERS: DatasetParameters = {
  merchants: 50,
  salesUnits: 500,
  transactions: 200_000,
  months: 18,
  capturePool: 1_000,
  seed: 20_261_128,
  generator: 1,
};

/** Fixed, so the same parameters give the same rows whenever they are generated. */
export const DATASET_END = new Date("2026-10-01T00:00:00.000Z");
const DAY_MS = 86_400_000;
/** Large enough that a run of one-unit captures never exhausts a pool payment. */
export const CAPTURE_POOL_AMOUNT = 100_000_000;
export const CAPTURE_POOL_REFERENCE_PREFIX = "m1-";
const MARKER_TABLE = "bench_dataset";

const COUNTRIES = ["NO", "DK", "FI"] as const;
const CURRENCY = { NO: "NOK", DK: "DKK", FI: "EUR" } as const;
const STATUSES: [TransactionStatus, number][] = [
  ["CAPTURED", 0.68],
  ["REFUNDED", 0.08],
  ["CANCELLED", 0.05],
  ["REJECTED", 0.05],
  ["EXPIRED", 0.05],
  ["RESERVED", 0.09],
];

type Country = (typeof COUNTRIES)[number];
type TransactionStatus = "CAPTURED" | "REFUNDED" | "CANCELLED" | "REJECTED" | "EXPIRED" | "RESERVED";
type Progress = (message: string) => void;

export interface Dataset {
  url: string;
  parameters: DatasetParameters;
  generated: boolean;
}

/**
 * Returns the URL of database `name` on the server of `adminUrl`, generating it first when it is missing or was
 * made with other parameters. Pending migrations are applied either way, as the gateway itself would.
 */
export async function ensureDataset(adminUrl: string, name: string, parameters: DatasetParameters, progress: Progress): Promise<Dataset> {
  await ensureDatabase(adminUrl, name);
  const url = databaseUrlWithName(adminUrl, name);
  const existing = await withClient(url, (client) => readMarker(client));
  if (existing && isDeepStrictEqual(existing, parameters)) {
    await applyMigrations(url, { log: progress });
    progress(`Dataset ${name} is up to date (${parameters.transactions} transactions)`);
    return { url, parameters, generated: false };
  }
  progress(existing ? `Dataset ${name} was made with other parameters: generating it again` : `Generating dataset ${name}`);
  await dropDatabase(adminUrl, name);
  await createDatabase(adminUrl, name);
  await applyMigrations(url, { log: progress });
  const started = Date.now();
  await withClient(url, (client) => generate(client, parameters, progress));
  progress(`Dataset generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url, parameters, generated: true };
}

async function readMarker(client: pg.Client): Promise<DatasetParameters | null> {
  const table = await client.query("SELECT to_regclass($1) AS oid", [MARKER_TABLE]);
  if (!table.rows[0]?.oid) return null;
  const rows = await client.query(`SELECT parameters FROM ${MARKER_TABLE}`);
  return (rows.rows[0]?.parameters as DatasetParameters | undefined) ?? null;
}

/** Deterministic, so equal parameters give equal rows (mulberry32). */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const hex = (digits: number) => {
    let out = "";
    while (out.length < digits) out += Math.floor(next() * 0x1_0000_0000).toString(16).padStart(8, "0");
    return out.slice(0, digits);
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    uuid: () => {
      const h = hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}

/** COPY's text format: tab-separated, `\N` for null, backslash escapes. */
function copyLine(values: (string | number | null)[]): string {
  return `${values.map((value) => (value === null ? "\\N" : String(value).replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!))).join("\t")}\n`;
}

async function copyRows(client: pg.Client, table: string, columns: string[], rows: Iterable<(string | number | null)[]>): Promise<void> {
  const target = client.query(copyFrom(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`));
  function* lines() {
    let batch = "";
    for (const row of rows) {
      batch += copyLine(row);
      if (batch.length > 256_000) {
        yield batch;
        batch = "";
      }
    }
    if (batch) yield batch;
  }
  await pipeline(Readable.from(lines()), target);
}

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "");

interface Unit {
  id: string;
  merchantId: string;
  msn: string;
  country: Country;
}

async function generate(client: pg.Client, p: DatasetParameters, progress: Progress): Promise<void> {
  const random = randomSource(p.seed);
  const start = DATASET_END.getTime() - Math.round(p.months * 30.44) * DAY_MS;
  const created = iso(start - 30 * DAY_MS);

  const merchants = Array.from({ length: p.merchants }, (_, i) => ({ id: random.uuid(), country: COUNTRIES[i % COUNTRIES.length]!, index: i }));
  await copyRows(
    client,
    "Merchant",
    ["id", "name", "organizationNumber", "country", "createdAt", "updatedAt"],
    merchants.map((m) => [m.id, `Bench Merchant ${m.index + 1}`, String(900_000_000 + m.index), m.country, created, created]),
  );

  const units: Unit[] = Array.from({ length: p.salesUnits }, (_, i) => {
    const merchant = merchants[i % p.merchants]!;
    return { id: random.uuid(), merchantId: merchant.id, msn: String(700_000 + i), country: merchant.country };
  });
  await copyRows(
    client,
    "SalesUnit",
    ["id", "merchantId", "msn", "name", "environment", "channel", "currency", "status", "settlementAccount", "activatedAt", "createdAt", "updatedAt"],
    units.map((u, i) => [u.id, u.merchantId, u.msn, `Shop ${String(i + 1).padStart(3, "0")}`, "PRODUCTION", i % 2 ? "IN_PERSON" : "ONLINE", CURRENCY[u.country], "ACTIVE", `1503${String(i).padStart(7, "0")}`, created, created, created]),
  );

  // One Administrator per merchant, who also manages two sales units of the next merchant, so a viewer has two
  // memberships of both kinds; plus a Sales Unit Manager per merchant with Transaction Management on three units.
  const users: string[][] = [];
  const memberships: (string | number)[][] = [];
  const assigned: string[][] = [];
  const unitsOf = (merchantIndex: number) => units.filter((u) => u.merchantId === merchants[merchantIndex]!.id);
  for (const merchant of merchants) {
    const next = (merchant.index + 1) % p.merchants;
    const admin = random.uuid();
    const manager = random.uuid();
    for (const [id, role] of [[admin, "admin"], [manager, "manager"]] as const) {
      const n = users.length;
      users.push([id, `Bench ${role} ${merchant.index + 1}`, merchant.country, `bench-nin-${n}`, `+4790${String(n).padStart(6, "0")}`, `bench-${n}@example.invalid`, created, created]);
    }
    const adminMembership = random.uuid();
    const crossMembership = random.uuid();
    const managerMembership = random.uuid();
    memberships.push([adminMembership, admin, merchant.id, "ADMINISTRATOR", "{}", created, created]);
    memberships.push([crossMembership, admin, merchants[next]!.id, "SALES_UNIT_MANAGER", "{}", iso(start - 29 * DAY_MS), created]);
    memberships.push([managerMembership, manager, merchant.id, "SALES_UNIT_MANAGER", "{TRANSACTION_MANAGEMENT}", created, created]);
    for (const unit of unitsOf(next).slice(0, 2)) assigned.push([crossMembership, unit.id]);
    for (const unit of unitsOf(merchant.index).slice(0, 3)) assigned.push([managerMembership, unit.id]);
  }
  await copyRows(client, "PortalUser", ["id", "name", "country", "nin", "phoneNumber", "email", "createdAt", "updatedAt"], users);
  await copyRows(client, "Membership", ["id", "userId", "merchantId", "role", "permissions", "createdAt", "updatedAt"], memberships);
  await copyRows(client, "MembershipSalesUnit", ["membershipId", "salesUnitId"], assigned);
  progress(`  ${p.merchants} merchants, ${p.salesUnits} sales units, ${users.length} portal users`);

  const operations: (string | number | null)[][] = [];
  const span = DATASET_END.getTime() - start;
  const step = Math.max(1, Math.floor(p.transactions / 10));
  let loaded = 0;

  function* transactions(): Generator<(string | number | null)[]> {
    for (let i = 0; i < p.transactions; i++) {
      const unit = units[random.int(units.length)]!;
      const t0 = start + Math.floor(random.next() * span);
      const amount = 1_000 + random.int(200_000);
      const r = random.next();
      let cumulative = 0;
      const status = STATUSES.find(([, share]) => (cumulative += share) > r)?.[0] ?? "RESERVED";
      const id = random.uuid();
      const ops: [string, number, string, number][] = [["REQUEST", amount, "API_KEY", t0]];
      let authorized = 0;
      let captured = 0;
      let refunded = 0;
      let cancelled = 0;
      let reservedAt: number | null = null;
      let lastCaptured: number | null = null;
      if (status === "REJECTED") ops.push(["DECLINE", amount, "PLATFORM", t0 + 30_000]);
      if (status === "EXPIRED") ops.push(["EXPIRE", amount, "SYSTEM", t0 + 300_000]);
      if (status !== "REJECTED" && status !== "EXPIRED") {
        reservedAt = t0 + 30_000;
        authorized = amount;
        ops.push(["APPROVE", amount, "PLATFORM", reservedAt]);
      }
      if (status === "CAPTURED" || status === "REFUNDED") {
        if (random.next() < 0.3) {
          const first = Math.floor(amount / 2);
          ops.push(["CAPTURE", first, "USER", t0 + 3_600_000], ["CAPTURE", amount - first, "USER", t0 + DAY_MS]);
          lastCaptured = t0 + DAY_MS;
        } else {
          ops.push(["CAPTURE", amount, "USER", t0 + 3_600_000]);
          lastCaptured = t0 + 3_600_000;
        }
        captured = amount;
      }
      if (status === "REFUNDED") {
        refunded = random.next() < 0.5 ? amount : Math.floor(amount / 3);
        ops.push(["REFUND", refunded, "USER", lastCaptured! + 2 * DAY_MS]);
      }
      if (status === "CANCELLED") {
        cancelled = amount;
        ops.push(["CANCEL", amount, "USER", t0 + 7_200_000]);
      }
      const updated = ops[ops.length - 1]![3];
      for (const [type, opAmount, actorKind, at] of ops) {
        operations.push([random.uuid(), id, type, opAmount, actorKind, actorKind === "USER" ? "Bench staff" : null, iso(at)]);
      }
      yield [
        id, unit.merchantId, unit.id, `order-${i + 1}`, `Order ${i + 1}`, CURRENCY[unit.country], amount, authorized, captured, refunded, cancelled, status,
        status === "REJECTED" || status === "EXPIRED" ? null : `Payer ${i % 997}`, status === "REJECTED" || status === "EXPIRED" ? null : `+4791${String(i % 1_000_000).padStart(6, "0")}`,
        iso(t0 + 300_000), reservedAt === null ? null : iso(reservedAt), captured ? iso(ops.find(([type]) => type === "CAPTURE")![3]) : null,
        lastCaptured === null ? null : iso(lastCaptured), ops.length - 1, iso(t0), iso(updated),
      ];
      if ((i + 1) % step === 0) progress(`  transactions ${i + 1}/${p.transactions} (${Math.round(((i + 1) / p.transactions) * 100)} %)`);
    }
    // The capture pool: payments of the merchants in Norway (the longest reservation window), reserved again at every run.
    const norwegian = units.filter((u) => u.country === "NO");
    for (let k = 0; k < p.capturePool; k++) {
      const unit = norwegian[k % norwegian.length]!;
      const id = random.uuid();
      const t0 = DATASET_END.getTime() + DAY_MS + k * 1_000;
      operations.push([random.uuid(), id, "REQUEST", CAPTURE_POOL_AMOUNT, "API_KEY", null, iso(t0)], [random.uuid(), id, "APPROVE", CAPTURE_POOL_AMOUNT, "PLATFORM", null, iso(t0 + 30_000)]);
      yield [
        id, unit.merchantId, unit.id, `${CAPTURE_POOL_REFERENCE_PREFIX}${k + 1}`, `Capture pool ${k + 1}`, "NOK", CAPTURE_POOL_AMOUNT, CAPTURE_POOL_AMOUNT, 0, 0, 0, "RESERVED",
        "Pool payer", null, iso(t0 + 300_000), iso(t0 + 30_000), null, null, 1, iso(t0), iso(t0 + 30_000),
      ];
    }
  }

  // Operations are flushed between transaction batches so memory stays flat for millions of rows.
  const transactionColumns = [
    "id", "merchantId", "salesUnitId", "reference", "description", "currency", "amount", "authorizedAmount", "capturedAmount", "refundedAmount",
    "cancelledAmount", "status", "payerName", "payerPhone", "expiresAt", "reservedAt", "firstCapturedAt", "lastCapturedAt", "version", "createdAt", "updatedAt",
  ];
  const operationColumns = ["id", "transactionId", "type", "amount", "actorKind", "actorLabel", "createdAt"];
  // Rows are consistent by construction: skipping foreign-key triggers and building secondary indexes once at the
  // end makes the load several times faster than maintaining them row by row.
  await client.query("SET session_replication_role = replica");
  const indexes = await client.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename IN ('Transaction', 'TransactionOperation')
       AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
  );
  for (const index of indexes.rows) await client.query(`DROP INDEX "${index.name}"`);
  const source = transactions();
  const batchSize = 50_000;
  for (;;) {
    const batch: (string | number | null)[][] = [];
    for (let result = source.next(); ; result = source.next()) {
      if (result.done) break;
      batch.push(result.value);
      if (batch.length === batchSize) break;
    }
    if (batch.length === 0) break;
    await copyRows(client, "Transaction", transactionColumns, batch);
    await copyRows(client, "TransactionOperation", operationColumns, operations.splice(0));
    loaded += batch.length;
    if (batch.length < batchSize) break;
  }
  progress(`  ${loaded} transactions loaded; building ${indexes.rows.length} indexes`);
  await client.query("SET session_replication_role = DEFAULT");
  await client.query("SET maintenance_work_mem = '256MB'");
  for (const index of indexes.rows) await client.query(index.definition);
  progress("  ANALYZE");
  await client.query("ANALYZE");
  await client.query(`CREATE TABLE ${MARKER_TABLE} (parameters jsonb NOT NULL, generated_at timestamptz NOT NULL DEFAULT now())`);
  await client.query(`COMMENT ON TABLE ${MARKER_TABLE} IS 'The parameters the benchmark dataset was generated with (bench/dataset.ts)'`);
  await client.query(`INSERT INTO ${MARKER_TABLE} (parameters) VALUES ($1)`, [JSON.stringify(p)]);
}

import { createHash, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createDatabase, databaseUrlWithName, dropDatabase, withClient } from "../../src/db/admin";
import { applyMigrations, diffMigrationsToSchema, listMigrations, migrationsDir } from "../../src/db/migrate";

const adminUrl = inject("adminUrl");
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `portal_migrate_test_${randomUUID().slice(0, 8)}`;
  await createDatabase(adminUrl, name);
  created.push(name);
  return databaseUrlWithName(adminUrl, name);
}

async function migrationFolders(): Promise<string[]> {
  return (await listMigrations()).migrationDirectories.map((directory) => directory.path);
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

async function migrationRows(url: string): Promise<MigrationRow[]> {
  return withClient(url, async (client) => {
    const result = await client.query<MigrationRow>(
      "SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
    );
    return result.rows;
  });
}

async function tableExists(url: string, table: string): Promise<boolean> {
  return withClient(url, async (client) => {
    const result = await client.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [`public."${table}"`]);
    return result.rows[0]?.found != null;
  });
}

/** A migrations folder of its own, for scripts the project's real migrations do not contain. */
async function migrationsFolder(scripts: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "portal-migrations-"));
  await writeFile(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
  for (const [name, sql] of Object.entries(scripts)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

afterAll(async () => {
  await Promise.all(created.map((name) => dropDatabase(adminUrl, name)));
});

describe("applyMigrations", () => {
  it("applies every migration folder to an empty database and records each one as prisma migrate deploy does", async () => {
    const url = await emptyDatabase();
    const folders = await migrationFolders();
    expect(folders.length).toBeGreaterThan(0);

    const { applied } = await applyMigrations(url);

    expect(applied).toEqual(folders);
    expect(await tableExists(url, "Transaction")).toBe(true);
    expect(await tableExists(url, "OutboxEvent")).toBe(true);
    const rows = await migrationRows(url);
    expect(rows.map((row) => row.migration_name)).toEqual(folders);
    for (const row of rows) {
      const sql = await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("applies nothing to a database that already has every migration", async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    const before = await migrationRows(url);

    const { applied } = await applyMigrations(url);

    expect(applied).toEqual([]);
    expect(await migrationRows(url)).toEqual(before);
  });

  it("lets two instances migrate the same empty database at once and records each migration once", async () => {
    const url = await emptyDatabase();
    const folders = await migrationFolders();

    const [first, second] = await Promise.all([applyMigrations(url), applyMigrations(url)]);

    expect([...first.applied, ...second.applied].sort()).toEqual(folders);
    expect((await migrationRows(url)).map((row) => row.migration_name)).toEqual(folders);
  });

  it("runs a migration whole, with semicolons inside string literals and function bodies", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsFolder({
      "20240101000000_tricky": `CREATE TABLE "Note" ("text" TEXT NOT NULL DEFAULT 'a;b');
CREATE FUNCTION note_count() RETURNS bigint AS $$ BEGIN RETURN (SELECT count(*) FROM "Note"); END $$ LANGUAGE plpgsql;
INSERT INTO "Note" DEFAULT VALUES;`,
    });
    try {
      await applyMigrations(url, { dir });

      const count = await withClient(url, async (client) => (await client.query("SELECT note_count() AS n, min(text) AS text FROM \"Note\"")).rows[0]);
      expect(count).toEqual({ n: "1", text: "a;b" });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("leaves nothing of a migration that fails halfway and reports the database error", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsFolder({
      "20240101000000_broken": `CREATE TABLE "Half" ("id" INTEGER);
SELECT 1 / 0;`,
    });
    try {
      await expect(applyMigrations(url, { dir })).rejects.toThrow(/division by zero/);

      expect(await tableExists(url, "Half")).toBe(false);
      const [row] = await migrationRows(url);
      expect(row?.finished_at).toBeNull();
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

async function shadowDatabases(): Promise<string[]> {
  return withClient(adminUrl, async (client) => {
    const result = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
    return result.rows.map((row) => row.datname);
  });
}

describe("diffMigrationsToSchema", () => {
  it("finds no difference between the migrations folder and prisma/schema.prisma, and drops its shadow database", async () => {
    const before = await shadowDatabases();

    expect(await diffMigrationsToSchema(adminUrl)).toBeNull();

    expect((await shadowDatabases()).filter((name) => !before.includes(name))).toEqual([]);
  });
});

/** The project's migrations up to, not including, `name`: a database as it was before that migration shipped. */
async function migrationsBefore(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "portal-migrations-"));
  await writeFile(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
  for (const folder of await migrationFolders()) {
    if (folder < name) await cp(path.join(migrationsDir, folder), path.join(dir, folder), { recursive: true });
  }
  return dir;
}

describe("the migration that makes sums 64-bit", () => {
  it("keeps every settlement total and revenue estimate of a database holding old 32-bit rows, and then takes sums past 2^31", async () => {
    const migration = (await migrationFolders()).find((folder) => folder.endsWith("_money_sums_bigint"))!;
    const url = await emptyDatabase();
    const old = await migrationsBefore(migration);
    try {
      await applyMigrations(url, { dir: old });
    } finally {
      await rm(old, { recursive: true, force: true });
    }
    const ids = await withClient(url, async (client) => {
      // Rows as the old schema held them; foreign keys are not this test's business.
      await client.query("SET session_replication_role = replica");
      const settlement = await client.query<{ id: string }>(
        `INSERT INTO "Settlement" (id, "salesUnitId", "periodStart", "periodEnd", "payoutDate", currency, "grossAmount", "refundedAmount", "feeAmount", "netAmount")
         VALUES (gen_random_uuid(), gen_random_uuid(), '2026-01-01', '2026-01-01', '2026-01-05', 'NOK', 2147483647, 1, 2147483646, -2147483648) RETURNING id`,
      );
      const request = await client.query<{ id: string }>(
        `INSERT INTO "RecurringRequest" (id, "salesUnitId", "monthlyRevenueAmount", description) VALUES (gen_random_uuid(), gen_random_uuid(), 2147483647, 'Gammel søknad') RETURNING id`,
      );
      return { settlement: settlement.rows[0]!.id, request: request.rows[0]!.id };
    });

    // This migration first; later ones (if any) follow it.
    expect((await applyMigrations(url)).applied[0]).toBe(migration);

    await withClient(url, async (client) => {
      const settlement = await client.query(
        `SELECT "grossAmount"::text AS gross, "refundedAmount"::text AS refunded, "feeAmount"::text AS fee, "netAmount"::text AS net FROM "Settlement" WHERE id = $1`,
        [ids.settlement],
      );
      expect(settlement.rows).toEqual([{ gross: "2147483647", refunded: "1", fee: "2147483646", net: "-2147483648" }]);
      const request = await client.query(`SELECT "monthlyRevenueAmount"::text AS revenue FROM "RecurringRequest" WHERE id = $1`, [ids.request]);
      expect(request.rows).toEqual([{ revenue: "2147483647" }]);
      const types = await client.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE (table_name = 'Settlement' AND column_name LIKE '%Amount') OR (table_name = 'RecurringRequest' AND column_name = 'monthlyRevenueAmount')
         ORDER BY column_name`,
      );
      expect(new Set(types.rows.map((row) => row.data_type))).toEqual(new Set(["bigint"]));
      expect(types.rows).toHaveLength(5);
      await client.query(`UPDATE "Settlement" SET "grossAmount" = 5000000000 WHERE id = $1`, [ids.settlement]);
      expect((await client.query(`SELECT "grossAmount"::text AS gross FROM "Settlement" WHERE id = $1`, [ids.settlement])).rows).toEqual([{ gross: "5000000000" }]);
    });
  });
});

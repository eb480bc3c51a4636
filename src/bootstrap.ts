/**
 * Start-up of the data layer: pick the database (DATABASE_URL, or an embedded PostgreSQL under DATA_DIR), apply
 * pending migrations, then — under a PostgreSQL advisory lock, so two instances starting at once agree — create
 * the first signing key and seed demo data into an empty database. It sits outside src/db because seeding reaches
 * into the services, and the database layer must not depend on what depends on it.
 */
import path from "node:path";
import type { Config } from "./config";
import { ensureSigningKey } from "./auth/keys";
import { seedDemoData, writePersonas } from "./seed";
import { withAdvisoryLock, type Log } from "./db/admin";
import type { Db } from "./db/client";
import { startEmbeddedPostgres } from "./db/embedded";
import { applyMigrations } from "./db/migrate";

/** An arbitrary constant shared by every instance: the key of the start-up advisory lock. */
const BOOTSTRAP_LOCK_KEY = 724_311_901;

export interface DatabaseHandle {
  url: string;
  stop(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, "databaseUrl" | "dataDir" | "embeddedPostgresPort">, log: Log): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  log(`No DATABASE_URL: starting the embedded PostgreSQL in ${path.relative(process.cwd(), path.join(config.dataDir, "postgres")) || "."}`);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "postgres"), port: config.embeddedPostgresPort, log });
  return { url: embedded.url, stop: embedded.stop };
}

export async function migrate(url: string, log: Log): Promise<void> {
  const { applied } = await applyMigrations(url, { log });
  if (applied.length === 0) log("Database schema is up to date");
}

export async function bootstrapData(
  db: Db,
  url: string,
  options: { encryptionKey: Buffer; seedDemoData: boolean; personasPath: string | null; log: Log },
): Promise<{ seeded: boolean }> {
  return withAdvisoryLock(url, BOOTSTRAP_LOCK_KEY, async () => {
    await ensureSigningKey(db, options.encryptionKey);
    if (!options.seedDemoData || (await db.merchant.count()) > 0) return { seeded: false };
    options.log("Empty database: seeding demo data");
    const personas = await seedDemoData(db, { encryptionKey: options.encryptionKey, log: options.log });
    // Fresh bulk inserts leave the planner guessing (it estimated 12 rows for a merchant's 2,700 transactions).
    await db.$executeRawUnsafe("ANALYZE");
    if (options.personasPath) {
      await writePersonas(options.personasPath, personas);
      options.log(`Wrote ${personas.length} personas to ${path.relative(process.cwd(), options.personasPath)}`);
    }
    return { seeded: true };
  });
}

// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from "all existing migrations applied" to
// prisma/schema.prisma, computed offline by the schema engine's WebAssembly build (what `prisma migrate dev
// --create-only` would write). Usage: npm run migrate:new -- <name>
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig, projectRoot } from "../src/config";
import { localOrEmbeddedPostgres } from "../src/db/embedded";
import { diffMigrationsToSchema, MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE, migrationsDir } from "../src/db/migrate";

function migrationName(arg: string | undefined): string {
  const name = (arg ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 200);
  if (!name) throw new Error("Usage: npm run migrate:new -- <name>");
  return name;
}

/** UTC, like the folders Prisma names. */
function timestamp(now = new Date()): string {
  return now.toISOString().replace(/\D/g, "").slice(0, 14);
}

/**
 * Replaying the migrations needs only a server to create a shadow database on: the one in DATABASE_URL, else the
 * usual local one, else the embedded one the gateway uses on a fresh laptop.
 */
async function withServer<T>(fn: (serverUrl: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  if (config.databaseUrl) return fn(config.databaseUrl);
  const server = await localOrEmbeddedPostgres(path.join(config.dataDir, "postgres"), config.embeddedPostgresPort, console.log);
  try {
    return await fn(server.adminUrl);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const name = migrationName(process.argv[2]);
  const sql = await withServer((serverUrl) => diffMigrationsToSchema(serverUrl));
  if (sql === null) {
    console.log("No schema changes.");
    return;
  }
  const folder = path.join(migrationsDir, `${timestamp()}_${name}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "migration.sql"), sql, { flag: "wx" });
  await writeFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT, { flag: "wx" }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  });
  console.log(`Wrote ${path.relative(projectRoot, path.join(folder, "migration.sql"))}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

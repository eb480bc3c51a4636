// Applies the pending folders of prisma/migrations to DATABASE_URL, like `prisma migrate deploy` but without the
// native schema engine. The gateway does the same at start-up; this is for deploy pipelines and manual use.
import { loadConfig } from "../src/config";
import { applyMigrations } from "../src/db/migrate";

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) throw new Error("Set DATABASE_URL to the database to migrate.");
  const { applied } = await applyMigrations(databaseUrl, { log: console.log });
  if (applied.length === 0) console.log("No pending migrations.");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

/**
 * Once per test run: find a real PostgreSQL (TEST_ADMIN_DATABASE_URL, the local server on 127.0.0.1:5432, or an
 * embedded one under .data/test-postgres), then build a template database with every migration applied and the
 * demo seed loaded. Each test file clones it (CREATE DATABASE … TEMPLATE), which takes a fraction of a second.
 */
import path from "node:path";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../../src/config";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../../src/db/admin";
import { localOrEmbeddedPostgres } from "../../src/db/embedded";
import { applyMigrations } from "../../src/db/migrate";
import { createPrisma } from "../../src/db/client";
import { seedDemoData } from "../../src/seed";
import { TEST_ENCRYPTION_KEY } from "./constants";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
    personasJson: string;
  }
}

export default async function setup(project: TestProject) {
  const server = process.env.TEST_ADMIN_DATABASE_URL
    ? { adminUrl: process.env.TEST_ADMIN_DATABASE_URL, stop: async () => {} }
    : await localOrEmbeddedPostgres(path.join(projectRoot, ".data", "test-postgres"), 54330);
  const { adminUrl } = server;

  const templateDatabase = `portal_test_template_${process.pid}`;
  await dropDatabase(adminUrl, templateDatabase);
  await createDatabase(adminUrl, templateDatabase);
  const templateUrl = databaseUrlWithName(adminUrl, templateDatabase);
  await applyMigrations(templateUrl);
  const db = createPrisma(templateUrl);
  const started = Date.now();
  const personas = await seedDemoData(db, { encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, "base64") });
  await db.$executeRawUnsafe("ANALYZE");
  await db.$disconnect();
  console.log(`Template database ${templateDatabase} migrated and seeded in ${Date.now() - started} ms`);

  project.provide("adminUrl", adminUrl);
  project.provide("templateDatabase", templateDatabase);
  project.provide("personasJson", JSON.stringify(personas));

  return async () => {
    await dropDatabase(adminUrl, templateDatabase);
    await server.stop();
  };
}

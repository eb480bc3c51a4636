/**
 * Once per fault run: a PostgreSQL server of the run's own (embedded, in .data/faults-postgres on a free port) with
 * a migrated, seeded template database that each file clones. Files run one at a time, so a file may stop and
 * start this server; the shared server on 5432 is never touched.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../../src/config";
import { createDatabase, databaseUrlWithName } from "../../src/db/admin";
import { createPrisma } from "../../src/db/client";
import { startEmbeddedPostgres } from "../../src/db/embedded";
import { applyMigrations } from "../../src/db/migrate";
import { seedDemoData } from "../../src/seed";
import { TEST_ENCRYPTION_KEY } from "../support/constants";
import { freePort, stopPostmaster } from "./support";

declare module "vitest" {
  export interface ProvidedContext {
    faultsDataDir: string;
    faultsPort: number;
    faultsAdminUrl: string;
    faultsTemplate: string;
    faultsPersonasJson: string;
  }
}

export const FAULTS_TEMPLATE = "portal_faults_template";

export default async function setup(project: TestProject) {
  const dataDir = path.join(projectRoot, ".data", "faults-postgres");
  await rm(dataDir, { recursive: true, force: true });
  const port = await freePort();
  const server = await startEmbeddedPostgres({ dataDir, port });
  await createDatabase(server.adminUrl, FAULTS_TEMPLATE);
  const templateUrl = databaseUrlWithName(server.adminUrl, FAULTS_TEMPLATE);
  await applyMigrations(templateUrl);
  const db = createPrisma(templateUrl);
  const personas = await seedDemoData(db, { encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, "base64") });
  await db.$executeRawUnsafe("ANALYZE");
  await db.$disconnect();

  project.provide("faultsDataDir", dataDir);
  project.provide("faultsPort", port);
  project.provide("faultsAdminUrl", server.adminUrl);
  project.provide("faultsTemplate", FAULTS_TEMPLATE);
  project.provide("faultsPersonasJson", JSON.stringify(personas));

  return async () => {
    // A file may have restarted the server from its own process: stop whoever serves the directory now.
    await stopPostmaster(dataDir);
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

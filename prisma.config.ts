import { defineConfig } from "prisma/config";

// Migrations are applied by the gateway itself at start-up (src/db/migrate.ts) through the schema engine's
// WebAssembly build; this file only tells the Prisma CLI where the schema and migrations live.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});

import { configDefaults, defineConfig } from "vitest/config";

/**
 * Tests that need neither a database nor a server: `npm run test:unit` runs them in seconds, without the global
 * PostgreSQL set-up. Anything not listed here runs as an integration test, which is always safe.
 */
const UNIT_TESTS = [
  "test/domain/**/*.test.ts",
  "test/import-boundaries.test.ts",
  "test/auth/permissions.test.ts",
  "test/auth/policies.test.ts",
  "test/auth/platform-signature.test.ts",
  "test/webhooks/rules.test.ts",
  "test/reports/render.test.ts",
  "test/qr-codes/qr-render.test.ts",
  "test/limits/address-key.test.ts",
  "test/schema/schema-file.test.ts",
  "test/schema/codegen.test.ts",
  "test/schema/breaking-changes.test.ts",
  "test/schema/error-codes.test.ts",
  "test/schema/descriptions.test.ts",
  "test/schema/connections.test.ts",
  "test/schema/money-fields.test.ts",
  "test/http/graphiql-document.test.ts",
  "test/http/routes.test.ts",
  "test/permissions/scope-coverage.test.ts",
  "test/events/catalog.test.ts",
  "test/limits/cost.test.ts",
  "test/events/feed-groups.test.ts",
  "test/permissions/guarded-fields.test.ts",
  "test/sql/compile-bounds.test.ts",
];

export default defineConfig({
  // graphql ships both an ESM and a CJS build; libraries loaded through Node (Pothos, Yoga) and files transformed by
  // Vite could otherwise get different copies, and graphql refuses types from "another realm".
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    // Fault tests stop and start servers of their own: `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, "test/faults/**"],
    testTimeout: 30_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "unit", include: UNIT_TESTS } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: UNIT_TESTS,
          globalSetup: ["test/support/global-setup.ts"],
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

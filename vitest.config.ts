import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  // graphql ships both an ESM and a CJS build; libraries loaded through Node (Pothos, Yoga) and files transformed by
  // Vite could otherwise get different copies, and graphql refuses types from "another realm".
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    include: ["test/**/*.test.ts"],
    // Fault tests stop and start servers of their own: `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, "test/faults/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});

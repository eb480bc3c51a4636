import { defineConfig } from "vitest/config";

/**
 * `npm run test:faults`: kills the gateway, restarts and cuts off its dependencies. Each file brings its own
 * database (cloned from a template on the run's own PostgreSQL, see test/faults/global-setup.ts) and Redis, and
 * files run one at a time: they are heavy, and one stops and starts that PostgreSQL.
 */
export default defineConfig({
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    include: ["test/faults/**/*.test.ts"],
    globalSetup: ["test/faults/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
  },
});

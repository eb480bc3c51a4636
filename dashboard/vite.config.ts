import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The reference dashboard: served by the gateway under /dashboard (src/http/dashboard.ts), built by
 * src/http/dashboard-build.ts (`npm run dashboard:build`, or lazily by `npm start`). Everything is bundled: no CDN.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/dashboard/",
  // Preact's JSX runtime through Vite's own transformer: no Babel, no plugin.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { "@client": fileURLToPath(new URL("../client/generated", import.meta.url)) } },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  logLevel: "warn",
  clearScreen: false,
});

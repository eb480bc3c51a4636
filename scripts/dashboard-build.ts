/** `npm run dashboard:build`: the typed client and the dashboard bundle, rebuilt whatever their state. */
import { ensureDashboardBuilt } from "../src/http/dashboard";

await ensureDashboardBuilt((line) => console.log(line), { force: !process.argv.includes("--if-stale") });

import { DEFAULT_PARAMETERS, ensureDataset } from "./dataset";
const dataset = await ensureDataset("postgres://postgres@127.0.0.1:5432/postgres", "portal_exports_1m", { ...DEFAULT_PARAMETERS, transactions: 1_000_000 }, (m) => console.error(m));
console.log(dataset.url);

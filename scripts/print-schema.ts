/** Writes schema.graphql from the Pothos schema (`npm run schema:print`); a test fails when it is stale. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../src/config";
import { printSchemaSDL } from "../src/schema";

const target = path.join(projectRoot, "schema.graphql");
writeFileSync(target, printSchemaSDL());
console.log(`Wrote ${path.relative(process.cwd(), target)}`);

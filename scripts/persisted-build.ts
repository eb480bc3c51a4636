/**
 * `npm run persisted:build [-- <out.json>]`: the persisted-operations manifest (sha256 → document) of every operation
 * in client/**\/*.graphql, for PERSISTED_OPERATIONS=allow|only. Written to PERSISTED_OPERATIONS_MANIFEST (default
 * client/generated/persisted-operations.json); the client build sends these hashes instead of the documents.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../src/config";
import { buildManifest } from "../src/limits/persisted";

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : graphqlFiles(full);
    return entry.name.endsWith(".graphql") ? [full] : [];
  });
}

const out = path.resolve(projectRoot, process.argv[2] ?? process.env.PERSISTED_OPERATIONS_MANIFEST ?? "client/generated/persisted-operations.json");
const files = graphqlFiles(path.join(projectRoot, "client")).sort();
const manifest = buildManifest(files.map((file) => readFileSync(file, "utf8")));
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`Wrote ${Object.keys(manifest).length} persisted operations from ${files.length} files to ${path.relative(process.cwd(), out)}`);

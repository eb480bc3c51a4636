// Compares schema.graphql with the version this branch started from and lists the breaking changes (graphql-js
// findBreakingChanges) that schema-changes.allowed.json does not mark as intended. Usage: npm run schema:breaking
// (test/schema/breaking-changes.test.ts runs the same check under `npm test`).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { type BreakingChange, buildSchema, findBreakingChanges } from "graphql";

export const SCHEMA_FILE = "schema.graphql";
export const ALLOW_LIST_FILE = "schema-changes.allowed.json";

/**
 * One intended breaking change and why it is fine: `type` as findBreakingChanges names it, and either its exact
 * `description` or the schema `coordinate` it is about ("Settlement.grossAmount": any change of that type there,
 * which survives a later rename of the field's type).
 */
export interface AllowedChange {
  type: string;
  description?: string;
  coordinate?: string;
  reason: string;
}

function allows(entry: AllowedChange, change: BreakingChange): boolean {
  if (entry.type !== change.type) return false;
  if (entry.description !== undefined) return entry.description === change.description;
  return change.description.startsWith(`${entry.coordinate} `) || change.description.startsWith(`${entry.coordinate}(`);
}

export interface Baseline {
  /** What the baseline is, for messages: "merge-base with main (abc1234)". */
  label: string;
  sdl: string;
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
}

function schemaAt(root: string, commit: string): string | null {
  return git(root, ["show", `${commit}:${SCHEMA_FILE}`]);
}

/**
 * The schema this working tree is compared with: `SCHEMA_BASE_REF` when set; else, on a branch, its merge-base with
 * main (so every change of the branch counts, not only the last commit's); else, on main itself, HEAD when the
 * working tree changed schema.graphql, or HEAD's first parent (the last commit's or merge's change). Null when there
 * is no git history to compare with (an export, a clone of depth 1).
 */
export function findBaseline(root: string, env: NodeJS.ProcessEnv = process.env): Baseline | null {
  const head = git(root, ["rev-parse", "HEAD"])?.trim();
  if (!head) return null;
  const explicit = env.SCHEMA_BASE_REF;
  if (explicit) {
    const sdl = schemaAt(root, explicit);
    if (sdl === null) throw new Error(`SCHEMA_BASE_REF=${explicit} names no commit with a ${SCHEMA_FILE}.`);
    return { label: explicit, sdl };
  }
  for (const main of ["main", "origin/main"]) {
    const base = git(root, ["merge-base", "HEAD", main])?.trim();
    if (base && base !== head) {
      const sdl = schemaAt(root, base);
      if (sdl !== null) return { label: `merge-base with ${main} (${base.slice(0, 7)})`, sdl };
    }
  }
  const committed = schemaAt(root, head);
  if (committed !== null && committed !== readFileSync(path.join(root, SCHEMA_FILE), "utf8")) {
    return { label: `HEAD (${head.slice(0, 7)})`, sdl: committed };
  }
  const parent = git(root, ["rev-parse", "--verify", "--quiet", "HEAD^"])?.trim();
  if (!parent) return null;
  const sdl = schemaAt(root, parent);
  return sdl === null ? null : { label: `the previous commit (${parent.slice(0, 7)})`, sdl };
}

export function readAllowList(root: string): AllowedChange[] {
  const entries = JSON.parse(readFileSync(path.join(root, ALLOW_LIST_FILE), "utf8")) as AllowedChange[];
  for (const entry of entries) {
    if (!entry.type || !(entry.description || entry.coordinate) || !entry.reason?.trim()) {
      throw new Error(`Every entry of ${ALLOW_LIST_FILE} needs a type, a description or a coordinate, and a reason: ${JSON.stringify(entry)}`);
    }
  }
  return entries;
}

/** The breaking changes from `before` to `after` that no allow-list entry names. */
export function unmarkedBreakingChanges(before: string, after: string, allowed: readonly AllowedChange[]): BreakingChange[] {
  const changes = findBreakingChanges(buildSchema(before), buildSchema(after));
  return changes.filter((change) => !allowed.some((entry) => allows(entry, change)));
}

export function describeUnmarked(changes: readonly BreakingChange[], baseline: Baseline): string {
  const entries = changes.map((change) => ({ type: change.type, description: change.description, reason: "<why clients are not broken, or how they were told>" }));
  return (
    `${changes.length} breaking change(s) to ${SCHEMA_FILE} since ${baseline.label} are not in ${ALLOW_LIST_FILE}. ` +
    "Prefer a non-breaking change (add the new field, deprecate the old one: see the README's deprecation policy); " +
    `if the break is intended, add these entries with a reason:\n${JSON.stringify(entries, null, 2)}`
  );
}

async function main(): Promise<void> {
  const root = path.resolve(import.meta.dirname, "..");
  const baseline = findBaseline(root);
  if (!baseline) {
    console.log(`No earlier ${SCHEMA_FILE} in git history to compare with: breaking-change check skipped.`);
    return;
  }
  const unmarked = unmarkedBreakingChanges(baseline.sdl, readFileSync(path.join(root, SCHEMA_FILE), "utf8"), readAllowList(root));
  if (unmarked.length > 0) {
    console.error(describeUnmarked(unmarked, baseline));
    process.exitCode = 1;
    return;
  }
  console.log(`No unmarked breaking change to ${SCHEMA_FILE} since ${baseline.label}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();

/**
 * Persisted operations: the documents a production SPA sends are known in advance (client/**\/*.graphql, built into
 * a manifest of sha256 → document by `npm run persisted:build`), so a client may send the hash instead of the
 * document and, in `only` mode, nothing else is run: an attacker cannot send a document of their own making.
 *
 * PERSISTED_OPERATIONS: `off` (default) ignores hashes; `allow` runs a known hash or any document; `only` runs a
 * known hash and refuses any document with PERSISTED_OPERATION_REQUIRED. The hash goes in
 * `extensions.persistedQuery.sha256Hash` (Apollo's format, version 1) or in `documentId` (`sha256:<hex>` or the hex).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { GraphQLError, Kind, parse, print, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode } from "graphql";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";

export type PersistedMode = "off" | "allow" | "only";
export type Manifest = ReadonlyMap<string, string>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * One document per operation of the given sources, with the fragments it uses, printed canonically, under the
 * sha256 of that text: the manifest a client build and the gateway share.
 */
export function buildManifest(sources: string[]): Record<string, string> {
  const definitions: DefinitionNode[] = sources.flatMap((source) => parse(source).definitions);
  const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const manifest: Record<string, string> = {};
  for (const operation of definitions) {
    if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
    const used = new Map<string, FragmentDefinitionNode>();
    const pending: DefinitionNode[] = [operation];
    while (pending.length > 0) {
      visit(pending.pop()!, {
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (!fragment) throw new Error(`Fragment ${spread.name.value} is used but not defined`);
          if (!used.has(fragment.name.value)) {
            used.set(fragment.name.value, fragment);
            pending.push(fragment);
          }
        },
      });
    }
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...[...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value))] };
    const text = print(document);
    manifest[sha256Hex(text)] = text;
  }
  return manifest;
}

/** Reads a manifest file; every key must be the sha256 of its document, so a hash names exactly one text. */
export function loadManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS needs a manifest at ${file} (npm run persisted:build writes it): ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${file} is not an object of sha256 → document`);
  const entries = Object.entries(raw as Record<string, unknown>);
  for (const [hash, document] of entries) {
    if (!SHA256_HEX.test(hash) || typeof document !== "string" || sha256Hex(document) !== hash) throw new Error(`${file}: ${hash} is not the sha256 of its document`);
  }
  return new Map(entries as [string, string][]);
}

/** The hash a request names, in either accepted place; null when it names none. */
export function persistedOperationId(params: Pick<GraphQLParams, "extensions"> & { documentId?: unknown }): string | null {
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === "string") return persisted.sha256Hash;
  if (typeof params.documentId === "string") return params.documentId.replace(/^sha256:/, "");
  return null;
}

function refusal(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

export const requiredError = () => refusal("PERSISTED_OPERATION_REQUIRED", "This gateway runs only its persisted operations: send the operation's sha256 hash, not a document.");
export const notFoundError = () => refusal("PERSISTED_OPERATION_NOT_FOUND", "No persisted operation has this hash: rebuild the client against the gateway's manifest.");

/**
 * In `only` mode, the last word on every transport: a document is parsed only if its text is one of the manifest's
 * (which is what a hash turns into). graphql-sse's /graphql/stream reads a document without Yoga's parameter step,
 * so it cannot take a hash: it is refused whole (SSE subscriptions by hash go to /graphql with
 * `accept: text/event-stream`).
 */
function onlyManifestDocuments(manifest: Manifest): Plugin {
  const texts = new Set(manifest.values());
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname !== "/graphql/stream") return;
      const error = requiredError();
      const body = { errors: [{ message: `${error.message} Subscribe over SSE on /graphql instead.`, extensions: { code: error.extensions.code } }] };
      endResponse(new Response(JSON.stringify(body), { status: 400, headers: { "content-type": "application/json; charset=utf-8" } }));
    },
    onParse({ params }) {
      if (!texts.has(String(params.source))) throw requiredError();
    },
  };
}

/** Yoga's persisted-operations plugin for HTTP (queries, mutations, SSE on /graphql), and the `only` guard. */
export function persistedOperationsPlugins(mode: PersistedMode, manifest: Manifest): Plugin[] {
  if (mode === "off") return [];
  const persisted = usePersistedOperations({
    allowArbitraryOperations: mode === "allow",
    extractPersistedOperationId: (params) => persistedOperationId(params as GraphQLParams & { documentId?: unknown }),
    getPersistedOperation: (hash) => manifest.get(hash) ?? null,
    customErrors: { notFound: () => notFoundError(), persistedQueryOnly: () => requiredError(), keyNotFound: () => requiredError() },
  });
  return mode === "only" ? [persisted, onlyManifestDocuments(manifest)] : [persisted];
}

/**
 * The WebSocket side: the document a graphql-ws `subscribe` payload stands for, by the same rules; throws the same
 * typed refusals.
 */
export function persistedQueryOf(mode: PersistedMode, manifest: Manifest, payload: { query?: unknown; extensions?: unknown; documentId?: unknown }): string {
  const query = typeof payload.query === "string" && payload.query !== "" ? payload.query : null;
  if (mode === "off") return query ?? "";
  if (query !== null) {
    if (mode === "only") throw requiredError();
    return query;
  }
  const hash = persistedOperationId(payload as { extensions?: Record<string, unknown>; documentId?: unknown });
  if (hash === null) throw requiredError();
  const document = manifest.get(hash);
  if (document === undefined) throw notFoundError();
  return document;
}

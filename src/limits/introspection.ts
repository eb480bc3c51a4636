/**
 * Who may read the schema. In production the schema is for the portal's own developers and partners with
 * tokens, not for anonymous scanners: an introspection answer is large, and it maps every field to probe.
 */
import { GraphQLError, Kind, visit, BREAK, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context";
import { perDocument } from "./per-document";

export type IntrospectionPolicy = "public" | "authenticated" | "off";

const asksForSchema = perDocument(function asksForSchema(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value !== "__schema" && node.name.value !== "__type") return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
});

function refusal(policy: IntrospectionPolicy): GraphQLError {
  const message = policy === "off" ? "Introspection is turned off on this server." : "Log in to read the schema: introspection needs a bearer token here.";
  return new GraphQLError(message, { extensions: { code: policy === "off" ? "FORBIDDEN" : "UNAUTHENTICATED", http: { status: policy === "off" ? 403 : 401 } } });
}

/** `__schema` or `__type` anywhere in a document's text (`__typename` is not introspection). */
const MENTIONS_SCHEMA = /\b__(?:schema|type)\b/;

/** True when a document's text mentions `__schema` or `__type` anywhere (what the refusal before parsing looks at). */
export const mentionsSchema = (text: string): boolean => MENTIONS_SCHEMA.test(text);

/**
 * The refusal before parsing (below), or null: also asked by the graphql-sse endpoint, which parses its operations
 * itself rather than through Yoga's `onParams`.
 */
export function refusedBeforeParsing(policy: IntrospectionPolicy, request: Request, query: unknown): GraphQLError | null {
  if (policy === "public" || typeof query !== "string" || !MENTIONS_SCHEMA.test(query)) return null;
  return policy === "off" || !request.headers.has("authorization") ? refusal(policy) : null;
}

/**
 * Refused twice over: before parsing and validation when the request carries no credentials at all and its text
 * mentions `__schema` or `__type` (validating a large introspection document is most of its cost, which an
 * anonymous scanner would otherwise get for free; validation results are cached per document, so the refusal
 * cannot live there), and at execution, on every transport, when the credentials sent do not make a principal.
 */
export function introspectionPlugin(policy: IntrospectionPolicy): Plugin {
  return {
    onParams({ request, params }) {
      const refused = refusedBeforeParsing(policy, request, params.query);
      if (refused) throw refused;
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (policy === "public" || !asksForSchema(args.document)) return;
      const context = args.contextValue as unknown as Context;
      if (policy === "authenticated" && context.principal) return;
      setResultAndStopExecution({ errors: [refusal(policy)] });
    },
  };
}

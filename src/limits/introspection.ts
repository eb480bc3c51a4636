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

export function introspectionPlugin(policy: IntrospectionPolicy): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (policy === "public" || !asksForSchema(args.document)) return;
      const context = args.contextValue as unknown as Context;
      if (policy === "authenticated" && context.principal) return;
      const message = policy === "off" ? "Introspection is turned off on this server." : "Log in to read the schema: introspection needs a bearer token here.";
      setResultAndStopExecution({ errors: [new GraphQLError(message, { extensions: { code: policy === "off" ? "FORBIDDEN" : "UNAUTHENTICATED" } })] });
    },
  };
}

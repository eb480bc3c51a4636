/**
 * Bounds on every text a GraphQL operation carries, in the document and in its variables, checked before any
 * resolver runs. Each field still applies its own rule (a description has at most 100 characters); this is the
 * floor under all of them, so a field that forgets one cannot hand a megabyte or a NUL to the database
 * (PostgreSQL refuses NUL in text, which would surface as an unexpected error).
 */
import { BREAK, GraphQLError, Kind, visit, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { perDocument } from "./per-document";

/** Longer than any URL, name or message the portal takes; the longest field rule is 500 characters. */
export const MAX_TEXT_INPUT_LENGTH = 2000;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function checkText(text: string, where: string): GraphQLError | null {
  if (text.includes("\u0000")) return badInput(`${where} contains a NUL character (\\u0000): remove it and try again.`);
  if (text.length > MAX_TEXT_INPUT_LENGTH) {
    return badInput(`${where} is longer than ${MAX_TEXT_INPUT_LENGTH} characters: no field takes that much text.`);
  }
  return null;
}

function checkValue(value: unknown, where: string): GraphQLError | null {
  if (typeof value === "string") return checkText(value, where);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = checkValue(item, `${where}[${index}]`);
      if (problem) return problem;
    }
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const problem = checkValue(item, `${where}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

/** The document's own texts are checked once per document text; the variables on every request. */
const checkDocument = perDocument(function checkDocument(document: DocumentNode): GraphQLError | null {
  let problem: GraphQLError | null = null;
  visit(document, {
    [Kind.STRING](node) {
      problem = checkText(node.value, "A text argument");
      return problem ? BREAK : undefined;
    },
  });
  return problem;
});

/** The refusal for an operation's texts (its document's, then its variables'), or null when they are all acceptable. */
export function checkOperationInput(document: DocumentNode, variables: Record<string, unknown> | null | undefined): GraphQLError | null {
  return checkDocument(document) ?? Object.entries(variables ?? {}).reduce<GraphQLError | null>((found, [name, value]) => found ?? checkValue(value, `The variable $${name}`), null);
}

/** Refuses the operation with BAD_USER_INPUT, over HTTP, SSE and WebSocket alike. */
export function inputGuardPlugin(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = checkOperationInput(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = checkOperationInput(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
  };
}

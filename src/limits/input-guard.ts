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

/** Deeper than any input type nests (a filter in an input is 3 levels): JSON nested further is refused, not walked. */
export const MAX_INPUT_DEPTH = 16;

function checkValue(value: unknown, where: string, depth = 0): GraphQLError | null {
  if (typeof value === "string") return checkText(value, where);
  if (value === null || typeof value !== "object") return null;
  // Refused before it is walked: thousands of levels would overflow the stack of a walk that recurses.
  if (depth >= MAX_INPUT_DEPTH) return badInput(`${where} nests deeper than ${MAX_INPUT_DEPTH} levels: no input type does.`);
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [`[${index}]`, item]) : Object.entries(value).map(([key, item]) => [`.${key}`, item]);
  for (const [step, item] of entries) {
    const problem = checkValue(item, `${where}${step}`, depth + 1);
    if (problem) return problem;
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

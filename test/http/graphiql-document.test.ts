/** GraphiQL's default document: valid against the served schema, and the README's example queries unchanged. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Kind, type OperationDefinitionNode, parse, print, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config";
import { graphiqlDocument } from "../../src/http/graphiql";
import { schema } from "../../src/schema";

const GRAPHIQL_DEFAULT_DOCUMENT = graphiqlDocument("https://portal.example");

function operations(source: string): OperationDefinitionNode[] {
  return parse(source).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/** What an operation asks for, whatever its name: kind, variables and selections. */
function shape(operation: OperationDefinitionNode): string {
  return `${operation.operation}(${(operation.variableDefinitions ?? []).map(print).join(", ")}) ${print(operation.selectionSet)}`;
}

function readmeExamples(): OperationDefinitionNode[] {
  const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Example queries"), readme.indexOf("\n## ", readme.indexOf("### Example queries")));
  return [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) => operations(m[1]!));
}

describe("GraphiQL's default document", () => {
  it("is valid against the schema the gateway serves", () => {
    expect(validate(schema, parse(GRAPHIQL_DEFAULT_DOCUMENT)).map((e) => e.message)).toEqual([]);
  });

  it("holds every example query of the README, and a transactionEvents subscription", () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const shapes = operations(GRAPHIQL_DEFAULT_DOCUMENT).map(shape);
    for (const example of examples) expect(shapes).toContain(shape(example));
    expect(shapes.some((s) => s.startsWith("subscription") && s.includes("transactionEvents"))).toBe(true);
  });

  it("shows the login at the gateway's own address", () => {
    expect(GRAPHIQL_DEFAULT_DOCUMENT).toContain("curl -s -X POST https://portal.example/auth/dev/login ");
  });
});

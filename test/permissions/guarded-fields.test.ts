/**
 * Guarded fields are nullable: a field with its own scope-auth `authScopes` (found, as in scope-coverage.test.ts,
 * in `extensions.pothosOptions`) that is refused answers null with one error at its path, so the object holding it
 * and everything else the caller asked for are still answered (src/schema/guarded-fields-plugin.ts).
 */
import { isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema";

function hasOwnScope(field: GraphQLField<unknown, unknown>): boolean {
  return (field.extensions?.pothosOptions as { authScopes?: unknown } | undefined)?.authScopes !== undefined;
}

const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith("__"));
const guarded = objectTypes.flatMap((type) => Object.values(type.getFields()).filter(hasOwnScope).map((field) => ({ type, field })));

describe("guarded fields", () => {
  it("finds the scope metadata it walks (queries, mutations, subscriptions and object fields)", () => {
    const coordinates = guarded.map(({ type, field }) => `${type.name}.${field.name}`);
    expect(coordinates).toEqual(expect.arrayContaining(["Merchant.memberships", "Merchant.testUsers", "SalesUnit.recurringRequests", "Settlement.reportUrl", "Query.settlements", "Mutation.captureTransaction"]));
  });

  it("are nullable, so a refusal never blanks the object holding them", () => {
    const nonNull = guarded.filter(({ field }) => isNonNullType(field.type)).map(({ type, field }) => `${type.name}.${field.name}: ${String(field.type)}`);
    expect(nonNull).toEqual([]);
  });
});

/** `ErrorCode` lists every code the GraphQL API answers with; `Error.code` is that enum. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type GraphQLEnumType, type GraphQLInterfaceType, type GraphQLObjectType, getNamedType, isNonNullType, isUnionType } from "graphql";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config";
import { ERROR_CODES } from "../../src/domain/errors";
import { schema } from "../../src/schema";

/** Source files, except the plain HTTP endpoints (their `{"error": …}` codes are documented with each endpoint). */
function sourceFiles(dir = path.join(projectRoot, "src")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return ["generated", "http"].includes(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Codes written in the source: `code: "X"` (GraphQL error extensions), `code = "X"` (domain errors), `refusal("X"`. */
function codesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles()) {
    for (const match of readFileSync(file, "utf8").matchAll(/\b(?:code:\s*|code\s*=\s*|refusal\()"([A-Z][A-Z_]+)"/g)) codes.add(match[1]!);
  }
  return codes;
}

describe("ErrorCode", () => {
  const errorCode = schema.getType("ErrorCode") as GraphQLEnumType;

  it("is the list in src/domain/errors.ts, each code described", () => {
    expect(errorCode.getValues().map((value) => value.name).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    expect(errorCode.getValues().filter((value) => !value.description)).toEqual([]);
  });

  it("holds every code the source answers with", () => {
    const codes = [...codesInSource()];
    expect(codes.length).toBeGreaterThan(15);
    expect(codes.filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it("types Error.code, and errors about an input field carry its path", () => {
    const code = (schema.getType("Error") as GraphQLInterfaceType).getFields().code!;
    expect(isNonNullType(code.type) && code.type.ofType).toBe(errorCode);
    for (const name of ["ValidationError", "ConflictError"]) {
      const fields = (schema.getType(name) as GraphQLObjectType).getFields();
      expect(String(fields.path!.type)).toBe("[String!]");
      expect(fields.field!.deprecationReason).toContain("Use `path`");
    }
  });

  it("lets every mutation with typed errors answer ValidationError, so an INVALID_ID input is typed too", () => {
    const without = Object.values(schema.getMutationType()!.getFields())
      .map((field) => ({ name: field.name, type: getNamedType(field.type) }))
      .filter(({ type }) => isUnionType(type) && !type.getTypes().some((member) => member.name === "ValidationError"))
      .map(({ name }) => name);
    expect(without).toEqual([]);
  });

  it("lists ConflictError only on mutations that can conflict", () => {
    const conflicting = Object.values(schema.getMutationType()!.getFields())
      .filter((field) => {
        const type = getNamedType(field.type);
        return isUnionType(type) && type.getTypes().some((member) => member.name === "ConflictError");
      })
      .map((field) => field.name)
      .sort();
    expect(conflicting).toEqual(["addUser", "approveMerchantAgreement", "createQrCode", "createReportSubscription", "requestPayment", "requestRecurring", "submitMerchantAgreement", "updateQrCode"]);
  });
});

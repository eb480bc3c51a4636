/**
 * The compiled statement's size follows the caller's access, not its number of grants: a partner holds one grant per
 * linked sales unit. Units of one merchant make one term; access too wide for one statement is left to the
 * resolvers (PostgreSQL takes at most 65,535 parameters, and refused the statement before).
 */
import { randomUUID } from "node:crypto";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { Access, partnerGrants } from "../../src/auth/permissions";
import type { Principal } from "../../src/auth/principal";
import { compileOperation, MAX_STATEMENT_PARAMETERS } from "../../src/sql/compile";
import { NotCompilable } from "../../src/sql/types";
import { schema } from "../../src/schema";

const PAGE = parse("{ transactions(first: 5) { totalCount nodes { id amount payer { name } salesUnit { name merchant { name } } operations { actorLabel } } } }");
const SCOPES = ["SALES_UNITS_READ", "TRANSACTIONS_READ", "PERSONAL_DATA_READ"] as const;
const principal: Principal = { kind: "PARTNER", id: randomUUID(), label: "A partner", partnerKeyId: randomUUID(), scopes: [...SCOPES], expiresAt: new Date(Date.now() + 60_000) };

const compile = (units: { id: string; merchantId: string }[]) =>
  compileOperation({ schema, document: PAGE, variables: {}, access: new Access(partnerGrants(SCOPES, units)), principal });

describe("compiled statement size", () => {
  it("writes the sales units a partner reaches in one merchant as one term", () => {
    const merchantId = randomUUID();
    const few = compile([{ id: randomUUID(), merchantId }]);
    const many = compile(Array.from({ length: 5_000 }, () => ({ id: randomUUID(), merchantId })));
    expect(many.values.length).toBe(few.values.length);
  });

  it("leaves access too wide for one statement to the resolvers, for this request only", () => {
    const units = Array.from({ length: MAX_STATEMENT_PARAMETERS }, () => ({ id: randomUUID(), merchantId: randomUUID() }));
    let error: unknown;
    try {
      compile(units);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(NotCompilable);
    expect((error as NotCompilable).structural).toBe(false);
  });

  it("compiles only the operation execution would run: an empty name names none", () => {
    const access = new Access(partnerGrants(SCOPES, [{ id: randomUUID(), merchantId: randomUUID() }]));
    const document = parse("query Page { transactions(first: 2) { nodes { id } } }");
    expect(compileOperation({ schema, document, operationName: "Page", variables: {}, access, principal }).text).toMatch(/^SELECT/);
    for (const operationName of ["", "Other"]) {
      expect(() => compileOperation({ schema, document, operationName, variables: {}, access, principal })).toThrow(NotCompilable);
    }
  });
});

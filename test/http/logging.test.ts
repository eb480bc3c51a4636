/** Logs: a request id on every line of a request, refusals at info, outages at warn, bugs at error, no secrets. */
import { GraphQLError } from "graphql";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorKind } from "../../src/app";
import { ForbiddenError } from "../../src/auth/errors";
import { createLogger, loggableError } from "../../src/logging";
import { startTestGateway, type TestGateway } from "../support/gateway";

describe("error logging", () => {
  it("keeps a Prisma error's class, code and model but not the quoted call with its arguments", () => {
    const error = new PrismaClientKnownRequestError('Invalid `prisma.portalUser.create()` invocation:\n{ data: { nin: "01017012345" } }', {
      code: "P2002",
      clientVersion: "7",
      meta: { modelName: "PortalUser" },
    });
    const logged = loggableError(error);
    expect(logged).toMatchObject({ type: "PrismaClientKnownRequestError", code: "P2002", model: "PortalUser" });
    expect(JSON.stringify(logged)).not.toContain("01017012345");
  });

  it("logs other errors as they are", () => {
    const error = new TypeError("boom");
    expect(loggableError(error)).toBe(error);
  });

  it("tells the client's errors, database outages and bugs apart", () => {
    const wrapped = (original?: Error) => new GraphQLError("failed", original ? { originalError: original } : {});
    expect(errorKind(wrapped())).toBe("client");
    expect(errorKind(wrapped(new ForbiddenError()))).toBe("client");
    expect(errorKind(wrapped(new TypeError("Cannot read properties of undefined")))).toBe("unexpected");
    const unreachable = new PrismaClientKnownRequestError("Can't reach database server", { code: "P1001", clientVersion: "7" });
    expect(errorKind(wrapped(unreachable))).toBe("unavailable");
  });
});

describe("request logs", () => {
  const lines: Record<string, unknown>[] = [];
  let gateway: TestGateway;
  beforeAll(async () => {
    const logger = createLogger({ logLevel: "debug", production: false }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    gateway = await startTestGateway({}, { logger });
  });
  afterAll(async () => gateway?.stop());
  beforeEach(() => {
    lines.length = 0;
  });

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${gateway.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    return { requestId: response.headers.get("x-request-id"), body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
  };
  const linesOf = (requestId: string | null) => lines.filter((line) => line.requestId === requestId);

  it.each([
    ["a missing token", { query: "{ transactions(first: 1) { totalCount } }" }, "UNAUTHENTICATED"],
    ["an unknown field", { query: "{ viewer { nonsense } }" }, "GRAPHQL_VALIDATION_FAILED"],
    ["a variable of the wrong type", { query: "query($n: Int!) { transactions(first: $n) { totalCount } }", variables: { n: "many" } }, null],
  ])("logs %s at info as a refusal, with the request id the response carries", async (what, body, code) => {
    const clientId = `client-${what.replace(/\W+/g, "-")}`;
    const { requestId, body: result } = await post(body, { "x-request-id": clientId });
    expect(requestId).toBe(clientId);
    expect(result.errors?.[0]?.extensions?.code).toBe(code ?? undefined);
    const refusals = linesOf(requestId).filter((line) => line.msg === "GraphQL operation refused");
    expect(refusals).toEqual([expect.objectContaining({ level: 30, code })]);
    expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
  });

  it("logs FORBIDDEN at info", async () => {
    const token = await gateway.token("no-assistant");
    const merchantId = gateway.persona("no-assistant").merchantId;
    const { requestId, body } = await post(
      { query: "mutation($input: CreateTestUserInput!) { createTestUser(input: $input) { __typename } }", variables: { input: { merchantId } } },
      { authorization: `Bearer ${token}` },
    );
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(linesOf(requestId)).toContainEqual(expect.objectContaining({ level: 30, msg: "GraphQL operation refused", code: "FORBIDDEN" }));
    expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
  });

  it("replaces a request id that is not a plain token with a fresh one", async () => {
    const { requestId } = await post({ query: "{ viewer { nonsense } }" }, { "x-request-id": "forged\" \"level\":60" });
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(linesOf(requestId).length).toBeGreaterThan(0);
  });
});

/** Logs: a request id on every line of a request, refusals at info, outages at warn, bugs at error, no secrets. */
import { GraphQLError } from "graphql";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorKind } from "../../src/app";
import { ForbiddenError } from "../../src/auth/errors";
import { createLogger, loggableError } from "../../src/logging";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { scrub, scrubText } from "../../src/log-redaction";

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

  it("logs an anonymous payment's refused input without the payer's name, e-mail, number or address", async () => {
    const input = { phoneNumber: "91234567", payerName: "Kari Nordmann", email: "kari.nordmann@example.com", shipping: { name: "Kari Nordmann", address: "Storgata 1, 0155 Oslo" } };
    const { requestId, body } = await post({ query: "mutation($input: PayPaymentLinkInput!) { payPaymentLink(input: $input) { __typename } }", variables: { input } });
    expect(body.errors?.length).toBe(1);
    const logged = JSON.stringify(linesOf(requestId));
    expect(logged).toContain("GraphQL operation refused");
    for (const value of ["91234567", "Kari", "Nordmann", "kari.nordmann@example.com", "Storgata", "0155"]) expect(logged).not.toContain(value);
  });

  it("replaces a request id that is not a plain token with a fresh one", async () => {
    const { requestId } = await post({ query: "{ viewer { nonsense } }" }, { "x-request-id": "forged\" \"level\":60" });
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(linesOf(requestId).length).toBeGreaterThan(0);
  });
});

describe("log redaction", () => {
  it("scrubs NINs, phone numbers and tokens from messages, error messages and stacks", () => {
    const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    expect(scrubText(`Invalid call { data: { nin: "01017012345" } } for +47 912 34 567 with Bearer ${jwt}`)).toBe(
      'Invalid call { data: { nin: "[redacted-nin]" } } for [redacted-phone] with Bearer [redacted-token]',
    );
    for (const nin of ["010170-1234", "131052-308T", "198112289874", "811228-9874"]) expect(scrubText(`x ${nin} y`)).toBe("x [redacted-nin] y");
    const scrubbed = scrub({ err: new Error("duplicate nin 01017012345") }) as { err: { message: string; stack: string } };
    expect(scrubbed.err.message).toBe("duplicate nin [redacted-nin]");
    expect(scrubbed.err.stack).not.toContain("01017012345");
  });

  it("scrubs e-mail addresses, and the whole value graphql-js quotes for a variable that does not coerce", () => {
    expect(scrubText("Can't send mail - all recipients were rejected: 550 5.1.1 <kari.nordmann+x@fjord-kaffe.example.no>: no such user")).toBe(
      "Can't send mail - all recipients were rejected: 550 5.1.1 <[redacted-email]>: no such user",
    );
    const message = 'Variable "$input" got invalid value { payerName: "Kari; Nordmann", shipping: { address: "Storgata 1; 0155 Oslo" } }; Field "slug" of required type "String!" was not provided.';
    expect(scrubText(message)).toBe('Variable "$input" got invalid value [redacted]');
    expect(scrubText('Argument "name" has invalid value 7. String cannot represent a non string value: ["Kari Nordmann"]')).toBe(
      'Argument "name" has invalid value 7. String cannot represent a non string value: [redacted]',
    );
    expect(scrubText('Expected value of type "String!", found {address: "Storgata 1"}.')).toBe('Expected value of type "String!", found [redacted]');
  });

  it("cuts a long message before scrubbing it, so no pattern reads more than a few kilobytes of one", () => {
    const scrubbed = scrubText(`Cannot query field "${"a".repeat(60_000)}" on type "Query".`);
    expect(scrubbed.length).toBeLessThan(4_200);
    expect(scrubbed).toMatch(/more characters\]$/);
  });

  it("keeps amounts, ids and dates readable", () => {
    const line = "captured 125000 of 6f1c2f9e-0b7a-4f57-9a51-3d1d1e6c2b10 at 2026-12-02T05:58:04Z, order order-2026-0001";
    expect(scrubText(line)).toBe(line);
  });

  it("writes no NIN, phone number, client secret or token during a run of logins, user changes and failures", async () => {
    let logs = "";
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logs += String(chunk);
        done();
      },
    });
    // Production masks unexpected errors, and Yoga then logs the original: the path where a NIN used to leak.
    const gateway = await startTestGateway({ LOG_LEVEL: "debug", NODE_ENV: "production", DEV_LOGIN: "false", PUBLIC_BASE_URL: "https://portal.example" }, { logger: createLogger({ logLevel: "debug", production: true }, destination) });
    try {
      const adminUser = await gateway.services.db.portalUser.findFirstOrThrow({ where: { nin: gateway.persona("no-admin").nin } });
      const admin = await gateway.services.tokens.issue({ kind: "user", userId: adminUser.id, method: "BANKID_NO" }, 600);
      const partner = gateway.persona("partner");
      const partnerToken = await gateway.token("partner");
      // The database refuses every new portal user, so addUser fails unexpectedly inside Prisma, quoting its input.
      await gateway.services.db.$executeRawUnsafe(`ALTER TABLE "PortalUser" ADD CONSTRAINT no_new_users CHECK (false) NOT VALID`);
      await fetch(`${gateway.url}/accesstoken/get`, { method: "POST", headers: { client_id: partner.clientId!, client_secret: "wrong-secret-value", "Ocp-Apim-Subscription-Key": partner.subscriptionKey! } });
      const person = await gateway.services.db.registerPerson.findFirstOrThrow({ where: { country: "NO", phoneNumber: { not: null } }, orderBy: { nin: "desc" } });
      const add = `mutation($input: AddUserInput!) { addUser(input: $input) { __typename ... on Error { message } } }`;
      const merchantId = gateway.persona("no-admin").merchantId!;
      await gateway.graphql(admin, add, { input: { merchantId, phoneNumber: person.phoneNumber, country: "NO", role: "ADMINISTRATOR" } });
      await gateway.graphql(admin, add, { input: { merchantId, nin: person.nin, country: "NO", role: "ADMINISTRATOR" } });
      await gateway.graphql(admin, add, { input: { merchantId, nin: "not-a-nin\u0000", country: "NO", role: "ADMINISTRATOR" } });
      await gateway.graphql(partnerToken, "{ viewer { kind } }");
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of [person.nin, person.phoneNumber!, partner.clientSecret!, "wrong-secret-value", partner.subscriptionKey!, admin, partnerToken]) {
        expect(logs).not.toContain(secret);
      }
    } finally {
      await gateway.stop();
    }
  });
});

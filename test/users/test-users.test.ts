/** Test users through the real API: generated valid in the merchant's market, capped at 10 even under concurrency. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate } from "../support/mutate";
import { isValidNin } from "../../src/domain/nin";
import { parsePhoneNumber } from "../../src/domain/phone";
import type { Country } from "../../src/domain/types";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
const db = () => gateway.services.db;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.stop());

const create = async (who: string, merchantOf = who) =>
  mutate<{ phoneNumber: string; nin: string }>(gateway, await gateway.login(who), "createTestUser", { merchantId: gateway.persona(merchantOf).merchantId }, "phoneNumber nin");

async function snapshot() {
  return { testUsers: await db().testUser.findMany({ orderBy: { id: "asc" } }), audit: await db().auditEvent.count() };
}

describe("createTestUser", () => {
  it("generates a valid NIN and mobile number of the merchant's market in each country, audited", async () => {
    const markets: [string, Country][] = [["no-sum-dev", "NO"], ["dk-admin", "DK"], ["fi-admin", "FI"]];
    for (const [who, country] of markets) {
      const { result } = await create(who);
      expect(result!.__typename, who).toBe("MutationCreateTestUserSuccess");
      const { nin, phoneNumber } = result!.data!;
      expect(isValidNin(country, nin), `${country} ${nin}`).toBe(true);
      expect(parsePhoneNumber(phoneNumber)).toEqual({ e164: phoneNumber, country });
    }
    expect(await db().auditEvent.count({ where: { action: "testUser.create" } })).toBe(3);
  });

  it("lists the new test user on the merchant for a developer", async () => {
    const { result } = await create("no-assistant-dev");
    const listed = await gateway.graphql<{ node: { testUsers: { phoneNumber: string }[] } }>(
      await gateway.login("no-assistant-dev"),
      "query($id: ID!) { node(id: $id) { ... on Merchant { testUsers { phoneNumber } } } }",
      { id: gateway.persona("no-assistant-dev").merchantId },
    );
    expect(listed.data!.node.testUsers.map((t) => t.phoneNumber)).toContain(result!.data!.phoneNumber);
  });

  it("is FORBIDDEN without Developer and for another merchant's Administrator, and changes nothing", async () => {
    const before = await snapshot();
    for (const who of ["no-sum", "no-assistant-tm", "dk-admin", "operator"]) {
      expect((await create(who, "no-admin")).errorCode, who).toBe("FORBIDDEN");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("stops at 10 per merchant even when requests race, answering LimitReachedError with the limit", async () => {
    const merchantId = uuidOf(gateway.persona("dk-admin").merchantId!);
    const existing = await db().testUser.count({ where: { merchantId } });
    const results = await Promise.all(Array.from({ length: 12 - existing }, () => create("dk-admin")));
    const names = results.map((r) => r.result!.__typename);
    expect(names.filter((n) => n === "MutationCreateTestUserSuccess")).toHaveLength(10 - existing);
    expect(results.find((r) => r.result!.__typename === "LimitReachedError")!.result).toMatchObject({ code: "LIMIT_REACHED", limit: 10 });
    expect(await db().testUser.count({ where: { merchantId } })).toBe(10);

    const before = await snapshot();
    expect((await create("dk-admin")).result).toMatchObject({ __typename: "LimitReachedError", limit: 10 });
    expect(await snapshot()).toEqual(before);
  });
});

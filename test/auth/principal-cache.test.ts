/**
 * Cached principals never outlive a change of access: a change written straight to the database (as another
 * instance or an operator's tool would) reaches the gateway through the trigger's NOTIFY, and a change made through
 * the gateway is seen by the caller's very next request.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

const COUNT = `{ transactions(first: 1) { totalCount } }`;

describe("the principal cache", () => {
  let gateway: TestGateway;
  let db: pg.Client;

  beforeAll(async () => {
    gateway = await startTestGateway();
    db = new pg.Client({ connectionString: gateway.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await gateway?.stop();
  });

  const totalCount = async (token: string) => {
    const response = await gateway.graphql<{ transactions: { totalCount: number } }>(token, COUNT);
    expect(response.errors).toBeUndefined();
    return response.data!.transactions.totalCount;
  };

  it("serves repeated requests of one token without reading the principal again", async () => {
    const token = await gateway.token("no-admin");
    await totalCount(token);
    gateway.resetQueries();
    await totalCount(token);
    expect(gateway.queries.filter((sql) => sql.includes('"PortalUser"'))).toEqual([]);
  });

  it("keys a portal user's principal without the Merchant-Serial-Number header, which does not narrow it", async () => {
    const token = await gateway.token("no-sum");
    await totalCount(token);
    gateway.resetQueries();
    for (let msn = 100001; msn <= 100020; msn++) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "merchant-serial-number": String(msn) },
        body: JSON.stringify({ query: COUNT }),
      });
      expect(response.status).toBe(200);
    }
    expect(gateway.queries.filter((sql) => sql.includes('"PortalUser"'))).toEqual([]);
  });

  it("forgets a principal when its access changes in the database, whoever changed it", async () => {
    const persona = gateway.persona("no-assistant");
    const token = await gateway.token("no-assistant");
    expect(await totalCount(token)).toBeGreaterThan(0);
    await db.query(
      `DELETE FROM "MembershipSalesUnit" WHERE "membershipId" IN (SELECT m.id FROM "Membership" m JOIN "PortalUser" u ON u.id = m."userId" WHERE u.nin = $1)`,
      [persona.nin],
    );
    // The notification crosses a socket after the commit: give it a bounded moment.
    let seen = -1;
    for (let attempt = 0; attempt < 50 && seen !== 0; attempt++) {
      seen = await totalCount(token);
      if (seen !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toBe(0);
  });

  it("shows a change made through the gateway on the very next request of the person it affects", async () => {
    const token = await gateway.token("no-assistant-tm");
    expect(await totalCount(token)).toBeGreaterThan(0);
    const viewer = await gateway.graphql<{ viewer: { memberships: { id: string }[] } }>(token, `{ viewer { memberships { id } } }`);
    const removed = await gateway.graphql<{ removeUser: { __typename: string } }>(
      await gateway.token("no-admin"),
      `mutation($input: RemoveUserInput!) { removeUser(input: $input) { __typename } }`,
      { input: { membershipId: viewer.data!.viewer.memberships[0]!.id } },
    );
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeUser.__typename).toBe("MutationRemoveUserSuccess");
    expect(await totalCount(token)).toBe(0);
  });
});

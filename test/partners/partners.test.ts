/**
 * Partners through the real API: only customer service links a partner to a sales unit, and the partner's
 * access follows the link at once; partner keys are shown once, stored hashed, and revocation stops their tokens.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessToken, startTestGateway, type TestGateway } from "../support/gateway";
import { mutate } from "../support/mutate";

let gateway: TestGateway;
const db = () => gateway.services.db;
let partners: { id: string; name: string }[];

beforeAll(async () => {
  gateway = await startTestGateway();
  const response = await gateway.graphql<{ partners: { nodes: { id: string; name: string }[] } }>(await token("operator"), "{ partners(first: 10) { nodes { id name } } }");
  partners = response.data!.partners.nodes;
});
afterAll(async () => gateway?.stop());

const token = (key: string) => gateway.token(key);

const partnerId = (name: string) => partners.find((p) => p.name === name)!.id;
const LINKED = "Kassalappen POS AS";

async function unit(name: string) {
  const row = await db().salesUnit.findFirstOrThrow({ where: { name } });
  return { ...row, globalId: encodeGlobalID("SalesUnit", row.id) };
}

async function visibleTo(tokenValue: string): Promise<string[]> {
  const response = await gateway.graphql<{ salesUnits: { nodes: { msn: string }[] } }>(tokenValue, "{ salesUnits(first: 50) { nodes { msn } } }");
  return response.data!.salesUnits.nodes.map((n) => n.msn).sort();
}

async function snapshot() {
  return {
    units: await db().salesUnit.findMany({ orderBy: { id: "asc" } }),
    keys: await db().partnerKey.findMany({ orderBy: { id: "asc" } }),
    audit: await db().auditEvent.count(),
  };
}

const link = async (who: string, input: Record<string, unknown>) => mutate<{ msn: string; partner: { name: string } | null }>(gateway, await token(who), "linkPartner", input, "msn partner { name }");

describe("linkPartner", () => {
  it("links a partner to a new sales unit: the partner sees it at once, and no longer after unlinking", async () => {
    const subscription = await unit("Fjordkaffe Abonnement");
    const partnerToken = await token("partner");
    const seeded = gateway.persona("partner").salesUnits;
    expect(await visibleTo(partnerToken)).toEqual([...seeded].sort());

    expect((await link("operator", { salesUnitId: subscription.globalId, partnerId: partnerId(LINKED) })).result).toEqual({
      __typename: "MutationLinkPartnerSuccess",
      data: { msn: subscription.msn, partner: { name: LINKED } },
    });
    expect(await visibleTo(partnerToken)).toEqual([...seeded, subscription.msn].sort());
    expect(await db().auditEvent.findFirstOrThrow({ where: { action: "partner.link" }, orderBy: { id: "desc" } })).toMatchObject({ objectId: subscription.id, actorKind: "OPERATOR" });

    expect((await link("operator", { salesUnitId: subscription.globalId, partnerId: null })).result).toMatchObject({ data: { partner: null } });
    expect(await visibleTo(partnerToken)).toEqual([...seeded].sort());
    expect(await db().auditEvent.count({ where: { action: "partner.unlink", objectId: subscription.id } })).toBe(1);
  });

  it("moves a sales unit to another partner: one partner per sales unit", async () => {
    const bryggen = await unit("Fjordkaffe Bryggen");
    await link("operator", { salesUnitId: bryggen.globalId, partnerId: partnerId("Kassavirta Oy") });
    expect(await visibleTo(await token("partner-unlinked"))).toEqual([bryggen.msn]);
    expect(await visibleTo(await token("partner"))).not.toContain(bryggen.msn);
  });

  it("cannot be changed by the merchant, its users or a partner, and changes nothing", async () => {
    const subscription = await unit("Fjordkaffe Abonnement");
    const before = await snapshot();
    for (const who of ["no-admin", "no-sum-tm-dev", "partner"]) {
      expect((await link(who, { salesUnitId: subscription.globalId, partnerId: partnerId(LINKED) })).errorCode, who).toBe("FORBIDDEN");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a deactivated sales unit and an unknown partner, and changes nothing", async () => {
    const before = await snapshot();
    expect((await link("operator", { salesUnitId: (await unit("Hygge Cykler Vesterbro")).globalId, partnerId: partnerId(LINKED) })).result).toMatchObject({ __typename: "InvalidStateError" });
    expect((await link("operator", { salesUnitId: (await unit("Fjordkaffe Abonnement")).globalId, partnerId: encodeGlobalID("Partner", "6b1f7c2e-0000-4000-8000-000000000000") })).result).toMatchObject({
      __typename: "NotFoundError",
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe("partner keys", () => {
  const CREDENTIALS = "clientId clientSecret subscriptionKey partnerKey { id scopes revokedAt }";
  type Credentials = { clientId: string; clientSecret: string; subscriptionKey: string; partnerKey: { id: string; scopes: string[]; revokedAt: string | null } };
  const create = async (who: string, input: Record<string, unknown>) => mutate<Credentials>(gateway, await token(who), "createPartnerKeys", input, CREDENTIALS);
  const revoke = async (who: string, partnerKeyId: string) => mutate<{ revokedAt: string | null }>(gateway, await token(who), "revokePartnerKeys", { partnerKeyId }, "revokedAt");

  it("are issued once in clear, stored only hashed, and work at /accesstoken/get with their scopes", async () => {
    const { result } = await create("operator", { partnerId: partnerId(LINKED), scopes: ["SALES_UNITS_READ", "SALES_UNITS_READ"] });
    expect(result).toMatchObject({ __typename: "MutationCreatePartnerKeysSuccess", data: { partnerKey: { scopes: ["SALES_UNITS_READ"], revokedAt: null } } });
    const keys = result!.data!;
    const stored = await db().partnerKey.findUniqueOrThrow({ where: { clientId: keys.clientId } });
    expect(stored.clientSecretHash).not.toContain(keys.clientSecret);
    expect(stored.subscriptionKey).not.toBe(keys.subscriptionKey);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "partnerKeys.create" }, orderBy: { id: "desc" } });
    expect(JSON.stringify(audit.data)).not.toContain(keys.clientSecret);

    const partnerToken = await accessToken(gateway.url, keys.clientId, keys.clientSecret, keys.subscriptionKey);
    const linked = await db().salesUnit.findMany({ where: { partner: { name: LINKED } }, select: { msn: true } });
    expect(await visibleTo(partnerToken)).toEqual(linked.map((u) => u.msn).sort());
    const transactions = await gateway.graphql(partnerToken, "{ transactions(first: 1) { totalCount } }");
    expect(transactions.data).toEqual({ transactions: { totalCount: 0 } });
  });

  it("are listed for customer service only", async () => {
    const query = `query($id: ID!) { node(id: $id) { ... on Partner { keys { clientId scopes } } } }`;
    const operator = await gateway.graphql<{ node: { keys: { clientId: string }[] } }>(await token("operator"), query, { id: partnerId(LINKED) });
    expect(operator.data!.node.keys.map((k) => k.clientId)).toContain(gateway.persona("partner").clientId);
    const admin = await gateway.graphql(await token("no-admin"), query, { id: partnerId(LINKED) });
    expect(admin.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("need at least one scope and a real partner, and only customer service issues them", async () => {
    const before = await snapshot();
    expect((await create("operator", { partnerId: partnerId(LINKED), scopes: [] })).result).toMatchObject({ __typename: "ValidationError", field: "scopes" });
    expect((await create("operator", { partnerId: encodeGlobalID("Partner", "6b1f7c2e-0000-4000-8000-000000000000"), scopes: ["SALES_UNITS_READ"] })).result).toMatchObject({ __typename: "NotFoundError" });
    for (const who of ["no-admin", "partner"]) expect((await create(who, { partnerId: partnerId(LINKED), scopes: ["SALES_UNITS_READ"] })).errorCode, who).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it("stop working at once when revoked, for tokens already issued too", async () => {
    const keys = (await create("operator", { partnerId: partnerId(LINKED), scopes: ["SALES_UNITS_READ"] })).result!.data!;
    const issued = await accessToken(gateway.url, keys.clientId, keys.clientSecret, keys.subscriptionKey);
    expect((await revoke("no-admin", keys.partnerKey.id)).errorCode).toBe("FORBIDDEN");
    expect((await revoke("operator", keys.partnerKey.id)).result).toMatchObject({ __typename: "MutationRevokePartnerKeysSuccess", data: { revokedAt: expect.any(String) } });
    const refused = await gateway.graphql(issued, "{ salesUnits { totalCount } }");
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await expect(accessToken(gateway.url, keys.clientId, keys.clientSecret, keys.subscriptionKey)).rejects.toThrow(/401/);
    const before = await snapshot();
    expect((await revoke("operator", keys.partnerKey.id)).result).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);
  });
});

/**
 * The permission table through the real API: every seeded persona sees exactly its sales units, their transactions and no
 * more; fields that need an extra permission refuse or mask; other merchants' objects are invisible.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import type { Persona } from "../../src/seed";

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.stop());

const tokenFor = (persona: Persona) => gateway.token(persona.key);

function personas(filter: (p: Persona) => boolean): Persona[] {
  return gateway.personas.filter(filter);
}

const isMember = (p: Persona) => p.nin !== null && p.role !== null;
const hasExtra = (p: Persona, permission: "DEVELOPER" | "TRANSACTION_MANAGEMENT") =>
  (p.memberships ?? []).every((m) => m.role === "ADMINISTRATOR" || m.permissions.includes(permission));

describe("what each persona sees", () => {
  it("covers every role with and without each extra permission", () => {
    const combos = new Set(personas(isMember).flatMap((p) => (p.memberships ?? []).map((m) => `${m.role}:${[...m.permissions].sort().join("+")}`)));
    for (const role of ["SALES_UNIT_MANAGER", "ASSISTANT"]) {
      for (const perms of ["", "TRANSACTION_MANAGEMENT", "DEVELOPER", "DEVELOPER+TRANSACTION_MANAGEMENT"]) expect(combos).toContain(`${role}:${perms}`);
    }
    expect(combos).toContain("ADMINISTRATOR:");
  });

  it("lists exactly the persona's sales units, for every member persona and the partner", async () => {
    for (const persona of personas((p) => isMember(p) || Boolean(p.clientId))) {
      const response = await gateway.graphql<{ salesUnits: { totalCount: number; nodes: { msn: string }[] } }>(
        await tokenFor(persona),
        "{ salesUnits(first: 100) { totalCount nodes { msn } } }",
      );
      expect(response.errors, persona.key).toBeUndefined();
      const msns = response.data!.salesUnits.nodes.map((n) => n.msn).sort();
      expect(msns, persona.key).toEqual([...persona.salesUnits].sort());
      expect(response.data!.salesUnits.totalCount, persona.key).toBe(persona.salesUnits.length);
    }
  });

  it("shows only transactions of the persona's sales units", async () => {
    for (const persona of personas((p) => isMember(p) || Boolean(p.clientId))) {
      const response = await gateway.graphql<{ transactions: { totalCount: number; nodes: { salesUnit: { msn: string } }[] } }>(
        await tokenFor(persona),
        "{ transactions(first: 100) { totalCount nodes { salesUnit { msn } } } }",
      );
      expect(response.errors, persona.key).toBeUndefined();
      const seen = new Set(response.data!.transactions.nodes.map((n) => n.salesUnit.msn));
      for (const msn of seen) expect(persona.salesUnits, persona.key).toContain(msn);
      const expected = await gateway.services.db.transaction.count({ where: { salesUnit: { msn: { in: persona.salesUnits } } } });
      expect(response.data!.transactions.totalCount, persona.key).toBe(expected);
    }
  });

  it("lets an operator see every merchant", async () => {
    const response = await gateway.graphql<{ merchants: { totalCount: number } }>(await tokenFor(gateway.persona("operator")), "{ merchants { totalCount } }");
    expect(response.data!.merchants.totalCount).toBe(await gateway.services.db.merchant.count());
  });

  it("refuses every list to a caller without a token", async () => {
    const response = await gateway.graphql(null, "{ transactions(first: 1) { totalCount } }");
    expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("fields that need more than a view", () => {
  it("shows API key info only with Developer (Administrators have it)", async () => {
    for (const persona of personas(isMember)) {
      const response = await gateway.graphql<{ salesUnits: { nodes: { apiKeys: { clientId: string } | null }[] } }>(
        await tokenFor(persona),
        "{ salesUnits(first: 1, filter: { environment: PRODUCTION }) { nodes { msn apiKeys { clientId } } } }",
      );
      if (response.data?.salesUnits.nodes.length === 0) continue;
      if (hasExtra(persona, "DEVELOPER")) {
        expect(response.errors, persona.key).toBeUndefined();
      } else {
        expect(response.errors?.[0]?.extensions?.code, persona.key).toBe("FORBIDDEN");
      }
    }
  });

  it("masks the settlement account for everyone but Administrators", async () => {
    const query = "{ salesUnits(first: 20, filter: { environment: PRODUCTION }) { nodes { settlementAccount } } }";
    const admin = await gateway.graphql<{ salesUnits: { nodes: { settlementAccount: string | null }[] } }>(await tokenFor(gateway.persona("no-admin")), query);
    const accounts = admin.data!.salesUnits.nodes.map((n) => n.settlementAccount).filter(Boolean) as string[];
    expect(accounts.length).toBeGreaterThan(0);
    for (const account of accounts) expect(account).not.toContain("•");

    const manager = await gateway.graphql<{ salesUnits: { nodes: { settlementAccount: string | null }[] } }>(await tokenFor(gateway.persona("no-sum-tm-dev")), query);
    const masked = manager.data!.salesUnits.nodes.map((n) => n.settlementAccount).filter(Boolean) as string[];
    expect(masked.length).toBeGreaterThan(0);
    for (const account of masked) expect(account).toMatch(/^•+\d{4}$/);
  });

  it("lets only Administrators list a merchant's user accesses", async () => {
    const query = `query($id: ID!) { node(id: $id) { ... on Merchant { memberships(first: 50) { totalCount } } } }`;
    const merchantId = gateway.persona("no-admin").merchantId!;
    const admin = await gateway.graphql<{ node: { memberships: { totalCount: number } } }>(await tokenFor(gateway.persona("no-admin")), query, { id: merchantId });
    expect(admin.data!.node.memberships.totalCount).toBeGreaterThan(1);
    const assistant = await gateway.graphql(await tokenFor(gateway.persona("no-assistant-tm-dev")), query, { id: merchantId });
    expect(assistant.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("hides payer details from a partner without the personal-data scope", async () => {
    const partner = gateway.persona("partner");
    const response = await gateway.graphql<{ transactions: { nodes: { payer: unknown }[] } }>(
      await tokenFor(partner),
      "{ transactions(first: 20) { nodes { payer { name } } } }",
    );
    expect(response.data!.transactions.nodes.length).toBeGreaterThan(0);
    expect(response.data!.transactions.nodes.every((n) => n.payer === null)).toBe(true);
  });

  it("shows payer details to an Assistant of the sales unit", async () => {
    const response = await gateway.graphql<{ transactions: { nodes: { payer: { name: string | null } | null }[] } }>(
      await tokenFor(gateway.persona("no-assistant")),
      "{ transactions(first: 50, filter: { status: [CAPTURED] }) { nodes { payer { name } } } }",
    );
    expect(response.data!.transactions.nodes.some((n) => n.payer?.name)).toBe(true);
  });
});

describe("other merchants' objects", () => {
  it("resolve to null through node(id:) and salesUnit(msn:)", async () => {
    const dkAdmin = gateway.persona("dk-admin");
    const noAdmin = await tokenFor(gateway.persona("no-admin"));
    const foreign = await gateway.graphql<{ salesUnits: { nodes: { id: string; msn: string }[] } }>(await tokenFor(dkAdmin), "{ salesUnits(first: 1) { nodes { id msn } } }");
    const unit = foreign.data!.salesUnits.nodes[0]!;
    const tx = await gateway.graphql<{ transactions: { nodes: { id: string }[] } }>(await tokenFor(dkAdmin), "{ transactions(first: 1) { nodes { id } } }");

    const response = await gateway.graphql<{ unit: unknown; tx: unknown; merchant: unknown; byMsn: unknown }>(
      noAdmin,
      `query($unit: ID!, $tx: ID!, $merchant: ID!, $msn: String!) {
        unit: node(id: $unit) { id } tx: node(id: $tx) { id } merchant: node(id: $merchant) { id } byMsn: salesUnit(msn: $msn) { id }
      }`,
      { unit: unit.id, tx: tx.data!.transactions.nodes[0]!.id, merchant: dkAdmin.merchantId, msn: unit.msn },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ unit: null, tx: null, merchant: null, byMsn: null });
  });

  it("resolve through node(id:) for the merchant's own Administrator (the control)", async () => {
    const dkAdmin = await tokenFor(gateway.persona("dk-admin"));
    const response = await gateway.graphql<{ node: { id: string } | null }>(dkAdmin, "query($id: ID!) { node(id: $id) { id } }", { id: gateway.persona("dk-admin").merchantId });
    expect(response.data!.node).toEqual({ id: gateway.persona("dk-admin").merchantId });
  });

  it("stay out of a transaction filter that names another merchant's sales unit", async () => {
    const dk = await gateway.graphql<{ salesUnits: { nodes: { id: string }[] } }>(await tokenFor(gateway.persona("dk-admin")), "{ salesUnits(first: 5) { nodes { id } } }");
    const response = await gateway.graphql<{ transactions: { totalCount: number } }>(
      await tokenFor(gateway.persona("no-admin")),
      "query($ids: [ID!]) { transactions(filter: { salesUnitIds: $ids }) { totalCount } }",
      { ids: dk.data!.salesUnits.nodes.map((n) => n.id) },
    );
    expect(response.data!.transactions.totalCount).toBe(0);
  });
});

describe("report subscriptions and payment-link payments", () => {
  const SUBSCRIPTIONS = "{ merchants { nodes { name reportSubscriptions { email } } } }";
  type Merchants = { merchants: { nodes: { name: string; reportSubscriptions: { email: string }[] }[] } };

  it("show a merchant's report subscriptions to its Administrator", async () => {
    const response = await gateway.graphql<Merchants>(await tokenFor(gateway.persona("no-admin")), SUBSCRIPTIONS);
    expect(response.data!.merchants.nodes[0]!.reportSubscriptions.length).toBeGreaterThan(0);
  });

  it("hide report subscriptions from partners and from colleagues who do not reach what they cover", async () => {
    for (const key of ["partner", "no-assistant"]) {
      const response = await gateway.graphql<Merchants>(await tokenFor(gateway.persona(key)), SUBSCRIPTIONS);
      expect(response.errors, key).toBeUndefined();
      // The seeded subscriptions cover whole merchants or units neither of them reaches.
      expect(response.data!.merchants.nodes.flatMap((m) => m.reportSubscriptions), key).toEqual([]);
    }
  });

  it("count a link's payments only for callers who may view the unit's transactions", async () => {
    const partner = gateway.persona("partner");
    const token = await fetch(`${gateway.url}/accesstoken/get`, {
      method: "POST",
      headers: { client_id: partner.clientId!, client_secret: partner.clientSecret!, "Ocp-Apim-Subscription-Key": partner.subscriptionKey!, scope: "PAYMENTS_WRITE" },
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { msn: { in: partner.salesUnits } } });
    const link = await gateway.services.db.paymentLink.create({
      data: { salesUnitId: unit.id, slug: "scope-check-link", amount: 1000, currency: unit.currency, description: "Scope check" },
    });
    const query = `query($id: ID!) { node(id: $id) { ... on PaymentLink { description transactions { totalCount } } } }`;
    const id = encodeGlobalID("PaymentLink", link.id);
    const response = await gateway.graphql<{ node: { description: string; transactions: unknown } }>(token, query, { id });
    expect(response.data!.node).toEqual({ description: link.description, transactions: null });
    expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

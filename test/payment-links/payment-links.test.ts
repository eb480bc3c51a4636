/** Creating and deactivating payment links through the real API. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
type Unit = { id: string; msn: string; name: string; status: string; environment: string; currency: string };
let units: Unit[];

beforeAll(async () => {
  gateway = await startTestGateway({ PUBLIC_BASE_URL: "https://portal.example.no" });
  for (const key of ["no-admin", "no-sum", "no-assistant", "no-assistant-dev", "dk-admin"]) tokens[key] = await gateway.login(key);
  const query = "{ salesUnits(first: 50) { nodes { id msn name status environment currency } } }";
  units = [
    ...(await gateway.graphql<{ salesUnits: { nodes: Unit[] } }>(tokens["no-admin"]!, query)).data!.salesUnits.nodes,
    ...(await gateway.graphql<{ salesUnits: { nodes: Unit[] } }>(tokens["dk-admin"]!, query)).data!.salesUnits.nodes,
  ];
});
afterAll(async () => gateway?.stop());

const unit = (name: string) => units.find((u) => u.name === name)!;
const webshop = () => unit("Fjordkaffe Nettbutikk");
const slugOf = (url: string) => url.split("/pay/")[1]!;

type Link = { id: string; amount: number; currency: string; description: string; expiresAt: string | null; singleUse: boolean; active: boolean; url: string };
type Result = { __typename: string; code?: string; field?: string; message?: string; data?: Link };

const LINK = "id amount currency description expiresAt singleUse active url";
const CREATE = `mutation($input: CreatePaymentLinkInput!) { createPaymentLink(input: $input) {
  __typename ... on MutationCreatePaymentLinkSuccess { data { ${LINK} } } ... on Error { code message } ... on ValidationError { field } } }`;
const DEACTIVATE = `mutation($input: DeactivatePaymentLinkInput!) { deactivatePaymentLink(input: $input) {
  __typename ... on MutationDeactivatePaymentLinkSuccess { data { ${LINK} } } ... on Error { code message } } }`;

const create = (token: string, input: Record<string, unknown>) =>
  gateway.graphql<{ createPaymentLink: Result }>(token, CREATE, { input: { salesUnitId: webshop().id, amount: 24900, description: "Kaffeabonnement", ...input } });

async function snapshot() {
  const db = gateway.services.db;
  return { links: await db.paymentLink.findMany({ orderBy: { id: "asc" } }), audit: await db.auditEvent.count() };
}

describe("createPaymentLink", () => {
  it("creates a link in the sales unit's currency with a public URL and an audit event", async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const response = await create(tokens["no-admin"]!, { amount: 24900, description: "Julegave: 1 kg kaffe", expiresAt, singleUse: true });
    const link = response.data!.createPaymentLink.data!;
    expect(link).toMatchObject({ amount: 24900, currency: "NOK", description: "Julegave: 1 kg kaffe", expiresAt, singleUse: true, active: true });
    expect(link.url).toMatch(/^https:\/\/portal\.example\.no\/pay\/[A-Za-z0-9]{10}$/);
    const stored = await gateway.services.db.paymentLink.findFirstOrThrow({ where: { slug: slugOf(link.url) } });
    const audit = await gateway.services.db.auditEvent.findFirst({ where: { action: "paymentLink.create", objectId: stored.id } });
    expect(audit).toMatchObject({ actorKind: "USER", objectType: "PaymentLink", data: { amount: 24900, currency: "NOK", singleUse: true } });
  });

  it("takes the currency from a Danish unit, never expires and is reusable by default", async () => {
    const response = await gateway.graphql<{ createPaymentLink: Result }>(tokens["dk-admin"]!, CREATE, {
      input: { salesUnitId: unit("Hygge Cykler Webshop").id, amount: 150000, description: "Cykelservice" },
    });
    expect(response.data!.createPaymentLink.data).toMatchObject({ currency: "DKK", expiresAt: null, singleUse: false });
  });

  it("is open to an Assistant, who may request payments", async () => {
    const response = await create(tokens["no-assistant-dev"]!, {});
    expect(response.data!.createPaymentLink.__typename).toBe("MutationCreatePaymentLinkSuccess");
  });

  it.each([
    ["the smallest amount", { amount: 1 }],
    ["the largest amount", { amount: 65_000_000 }],
    ["a 3-character description", { description: "Te!" }],
    ["a 100-character description", { description: "d".repeat(100) }],
  ])("accepts %s", async (_what, input) => {
    expect((await create(tokens["no-admin"]!, input)).data!.createPaymentLink.__typename).toBe("MutationCreatePaymentLinkSuccess");
  });

  it.each([
    ["a zero amount", { amount: 0 }, "amount"],
    ["a negative amount", { amount: -100 }, "amount"],
    ["an amount over 65,000,000", { amount: 65_000_001 }, "amount"],
    ["a 2-character description", { description: "ok" }, "description"],
    ["a 101-character description", { description: "d".repeat(101) }, "description"],
    ["an expiry in the past", { expiresAt: new Date(Date.now() - 60_000).toISOString() }, "expiresAt"],
  ])("refuses %s, naming the field, and changes nothing", async (_what, input, field) => {
    const before = await snapshot();
    const response = await create(tokens["no-admin"]!, input);
    expect(response.data!.createPaymentLink).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", field });
    expect(await snapshot()).toEqual(before);
  });

  it("tells the user to order Payment links for a unit without them", async () => {
    const before = await snapshot();
    const bryggen = units.find((u) => u.msn === gateway.persona("no-sum").salesUnits[0])!;
    const response = await create(tokens["no-sum"]!, { salesUnitId: bryggen.id });
    expect(response.data!.createPaymentLink).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect(response.data!.createPaymentLink.message).toContain("order Payment links");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a deactivated sales unit", async () => {
    const before = await snapshot();
    const response = await gateway.graphql<{ createPaymentLink: Result }>(tokens["dk-admin"]!, CREATE, {
      input: { salesUnitId: unit("Hygge Cykler Vesterbro").id, amount: 1000, description: "Lukket butik" },
    });
    expect(response.data!.createPaymentLink).toMatchObject({ __typename: "InvalidStateError" });
    expect(response.data!.createPaymentLink.message).toContain("deactivated");
    expect(await snapshot()).toEqual(before);
  });

  it("is refused on another merchant's unit and on a unit the user is not assigned to", async () => {
    const before = await snapshot();
    expect((await create(tokens["dk-admin"]!, {})).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await create(tokens["no-assistant"]!, {})).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });
});

describe("deactivatePaymentLink", () => {
  it("stops a link once; a second time is an InvalidStateError that changes nothing", async () => {
    const link = (await create(tokens["no-admin"]!, { description: "Engangs" })).data!.createPaymentLink.data!;
    const first = await gateway.graphql<{ deactivatePaymentLink: Result }>(tokens["no-assistant-dev"]!, DEACTIVATE, { input: { paymentLinkId: link.id } });
    expect(first.data!.deactivatePaymentLink).toMatchObject({ __typename: "MutationDeactivatePaymentLinkSuccess", data: { active: false } });
    const stored = await gateway.services.db.paymentLink.findFirstOrThrow({ where: { slug: slugOf(link.url) } });
    expect(await gateway.services.db.auditEvent.count({ where: { action: "paymentLink.deactivate", objectId: stored.id } })).toBe(1);
    const before = await snapshot();
    const second = await gateway.graphql<{ deactivatePaymentLink: Result }>(tokens["no-admin"]!, DEACTIVATE, { input: { paymentLinkId: link.id } });
    expect(second.data!.deactivatePaymentLink).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect(await snapshot()).toEqual(before);
  });

  it("gives another merchant and an unknown link the same FORBIDDEN, changing nothing", async () => {
    const link = (await create(tokens["no-admin"]!, { description: "Privat lenke" })).data!.createPaymentLink.data!;
    const before = await snapshot();
    const foreign = await gateway.graphql(tokens["dk-admin"]!, DEACTIVATE, { input: { paymentLinkId: link.id } });
    const missing = await gateway.graphql(tokens["dk-admin"]!, DEACTIVATE, {
      input: { paymentLinkId: encodeGlobalID("PaymentLink", "6b1f7c2e-0000-4000-8000-000000000000") },
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(missing.errors?.[0]).toEqual(foreign.errors?.[0]);
    expect(await snapshot()).toEqual(before);
  });
});

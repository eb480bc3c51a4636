/** Login set-up through the real API: marketing consents, terms and privacy pages, activation. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { uuidOf } from "../support/ids";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
type Unit = { id: string; name: string };
let units: Unit[];

beforeAll(async () => {
  gateway = await startTestGateway();
  for (const key of ["no-admin", "no-sum", "no-sum-dev", "dk-admin", "operator"]) tokens[key] = await gateway.login(key);
  units = (await gateway.graphql<{ salesUnits: { nodes: Unit[] } }>(tokens["operator"]!, "{ salesUnits(first: 50) { nodes { id name } } }")).data!.salesUnits.nodes;
});
afterAll(async () => gateway?.stop());

const unit = (name: string) => units.find((u) => u.name === name)!;

type Config = { activated: boolean; termsUrl: string | null; privacyUrl: string | null; consents: { type: string; required: boolean; text: string }[] };
type Result = { __typename: string; code?: string; field?: string; message?: string; data?: Config };

const FIELDS = "activated termsUrl privacyUrl consents { type required text }";
const CONSENTS = `mutation($input: SetLoginConsentsInput!) { setLoginConsents(input: $input) {
  __typename ... on MutationSetLoginConsentsSuccess { data { ${FIELDS} } } ... on Error { code message } ... on ValidationError { field } } }`;
const ACTIVATE = `mutation($input: SetLoginActivatedInput!) { setLoginActivated(input: $input) {
  __typename ... on MutationSetLoginActivatedSuccess { data { ${FIELDS} } } ... on Error { code message } } }`;

async function snapshot() {
  const db = gateway.services.db;
  return {
    configs: await db.loginConfig.findMany({ orderBy: { id: "asc" } }),
    consents: await db.loginConsent.findMany({ orderBy: { id: "asc" } }),
    audit: await db.auditEvent.count(),
  };
}

const validInput = () => ({
  salesUnitId: unit("Fjordkaffe Nettbutikk").id,
  consents: [
    { type: "EMAIL", required: false, text: "Send meg nyhetsbrev på e-post." },
    { type: "PERSONAL", required: true, text: "Fjordkaffe lagrer navn og adresse for levering." },
  ],
  termsUrl: "https://fjordkaffe.no/vilkar",
  privacyUrl: "https://fjordkaffe.no/personvern",
});

const setConsents = (token: string, input: Record<string, unknown>) => gateway.graphql<{ setLoginConsents: Result }>(token, CONSENTS, { input: { ...validInput(), ...input } });

describe("setLoginConsents", () => {
  it("replaces the consents and pages for a Sales Unit Manager with Developer, audited", async () => {
    const response = await setConsents(tokens["no-sum-dev"]!, {});
    expect(response.data!.setLoginConsents).toEqual({
      __typename: "MutationSetLoginConsentsSuccess",
      data: {
        activated: true,
        termsUrl: "https://fjordkaffe.no/vilkar",
        privacyUrl: "https://fjordkaffe.no/personvern",
        consents: [
          { type: "EMAIL", required: false, text: "Send meg nyhetsbrev på e-post." },
          { type: "PERSONAL", required: true, text: "Fjordkaffe lagrer navn og adresse for levering." },
        ],
      },
    });
    const audit = await gateway.services.db.auditEvent.findFirst({ where: { action: "login.setConsents", objectId: uuidOf(unit("Fjordkaffe Nettbutikk").id) } });
    expect(audit?.data).toMatchObject({ after: { consents: [{ type: "EMAIL", required: false }, { type: "PERSONAL", required: true }] } });
  });

  it("creates the set-up of a unit that had none, not yet activated", async () => {
    const response = await setConsents(tokens["no-admin"]!, { salesUnitId: unit("Fjordkaffe Abonnement").id, consents: [{ type: "SMS", required: false, text: "SMS når kaffen er sendt." }] });
    expect(response.data!.setLoginConsents.data).toMatchObject({ activated: false, consents: [{ type: "SMS" }] });
  });

  it("accepts all four types and texts of 3 and 500 characters", async () => {
    const consents = [
      { type: "EMAIL", required: false, text: "abc" },
      { type: "SMS", required: false, text: "s".repeat(500) },
      { type: "DIGITAL", required: false, text: "Digitale kanaler." },
      { type: "PERSONAL", required: true, text: "Personopplysninger." },
    ];
    const response = await setConsents(tokens["no-admin"]!, { consents });
    expect(response.data!.setLoginConsents.data!.consents).toHaveLength(4);
  });

  it.each([
    ["no consents", { consents: [] }, "consents"],
    ["a type twice", { consents: [{ type: "EMAIL", required: false, text: "E-post" }, { type: "EMAIL", required: true, text: "Igjen" }] }, "consents.1.type"],
    ["a 2-character text", { consents: [{ type: "EMAIL", required: false, text: "ab" }] }, "consents.0.text"],
    ["a 501-character text", { consents: [{ type: "SMS", required: false, text: "s".repeat(501) }] }, "consents.0.text"],
    ["an http terms page", { termsUrl: "http://fjordkaffe.no/vilkar" }, "termsUrl"],
    ["a privacy page that is no URL", { privacyUrl: "personvern" }, "privacyUrl"],
  ])("refuses %s, naming the field, and changes nothing", async (_what, input, field) => {
    const before = await snapshot();
    const response = await setConsents(tokens["no-admin"]!, input);
    expect(response.data!.setLoginConsents).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", field });
    expect(await snapshot()).toEqual(before);
  });

  it("needs Developer on the unit, and refuses other merchants, changing nothing", async () => {
    const before = await snapshot();
    const bryggen = (await gateway.graphql<{ salesUnit: { id: string } }>(tokens["no-sum"]!, `{ salesUnit(msn: "${gateway.persona("no-sum").salesUnits[0]}") { id } }`)).data!.salesUnit;
    expect((await setConsents(tokens["no-sum"]!, { salesUnitId: bryggen.id })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await setConsents(tokens["dk-admin"]!, {})).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a deactivated unit", async () => {
    const before = await snapshot();
    const response = await setConsents(tokens["dk-admin"]!, { salesUnitId: unit("Hygge Cykler Vesterbro").id, termsUrl: "https://hyggecykler.dk/terms", privacyUrl: "https://hyggecykler.dk/privacy" });
    expect(response.data!.setLoginConsents).toMatchObject({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);
  });
});

describe("setLoginActivated", () => {
  const activate = (token: string, name: string, activated: boolean) =>
    gateway.graphql<{ setLoginActivated: Result }>(token, ACTIVATE, { input: { salesUnitId: unit(name).id, activated } });

  it("switches Login on and off, auditing each", async () => {
    const on = await activate(tokens["dk-admin"]!, "Hygge Cykler Webshop", true);
    expect(on.data!.setLoginActivated).toMatchObject({ __typename: "MutationSetLoginActivatedSuccess", data: { activated: true } });
    const off = await activate(tokens["dk-admin"]!, "Hygge Cykler Webshop", false);
    expect(off.data!.setLoginActivated).toMatchObject({ data: { activated: false } });
    const actions = await gateway.services.db.auditEvent.findMany({ where: { objectId: uuidOf(unit("Hygge Cykler Webshop").id), action: { startsWith: "login." } }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["login.activate", "login.deactivate"]);
  });

  it("refuses to switch on without the Login product, telling the user to order it", async () => {
    const before = await snapshot();
    const response = await activate(tokens["no-admin"]!, "Fjordkaffe Torgallmenningen", true);
    expect(response.data!.setLoginActivated).toMatchObject({ __typename: "InvalidStateError" });
    expect(response.data!.setLoginActivated.message).toContain("order Login");
    expect(await snapshot()).toEqual(before);
  });

  it("prepares redirect URIs on a unit without the Login product, not activated, and still refuses activation there", async () => {
    const SET = `mutation($input: SetLoginRedirectUrisInput!) { setLoginRedirectUris(input: $input) {
      __typename ... on MutationSetLoginRedirectUrisSuccess { data { activated redirectUris } } } }`;
    const prepared = await gateway.graphql<{ setLoginRedirectUris: { __typename: string; data: { activated: boolean; redirectUris: string[] } } }>(
      tokens["no-admin"]!,
      SET,
      { input: { salesUnitId: unit("Fjordkaffe Torgallmenningen").id, redirectUris: ["https://fjordkaffe.no/login/callback"] } },
    );
    expect(prepared.data!.setLoginRedirectUris).toEqual({
      __typename: "MutationSetLoginRedirectUrisSuccess",
      data: { activated: false, redirectUris: ["https://fjordkaffe.no/login/callback"] },
    });
    const response = await activate(tokens["no-admin"]!, "Fjordkaffe Torgallmenningen", true);
    expect(response.data!.setLoginActivated).toMatchObject({ __typename: "InvalidStateError" });
    expect(response.data!.setLoginActivated.message).toContain("order Login");
    const stored = await gateway.services.db.loginConfig.findUnique({ where: { salesUnitId: uuidOf(unit("Fjordkaffe Torgallmenningen").id) } });
    expect(stored?.activated).toBe(false);
  });

  it("refuses to switch on without a redirect URI", async () => {
    await gateway.services.db.salesUnit.update({ where: { id: uuidOf(unit("Sauna Oy Helsinki").id) }, data: { login: true } });
    const before = await snapshot();
    const fiAdmin = await gateway.login("fi-admin");
    const response = await activate(fiAdmin, "Sauna Oy Helsinki", true);
    expect(response.data!.setLoginActivated).toMatchObject({ __typename: "InvalidStateError" });
    expect(response.data!.setLoginActivated.message).toContain("redirect URI");
    expect(await snapshot()).toEqual(before);
  });

  it("never leaves Login switched on without a redirect URI: the last one of an active set-up stays, and a new set-up without one is off", async () => {
    const SET = `mutation($input: SetLoginRedirectUrisInput!) { setLoginRedirectUris(input: $input) {
      __typename ... on Error { message } ... on MutationSetLoginRedirectUrisSuccess { data { activated redirectUris } } } }`;
    const set = (token: string, name: string) =>
      gateway.graphql<{ setLoginRedirectUris: { __typename: string; message?: string; data?: { activated: boolean; redirectUris: string[] } } }>(token, SET, {
        input: { salesUnitId: unit(name).id, redirectUris: [] },
      });
    expect((await gateway.services.db.loginConfig.findUniqueOrThrow({ where: { salesUnitId: uuidOf(unit("Fjordkaffe Nettbutikk").id) } })).activated).toBe(true);
    const before = await snapshot();
    const refused = (await set(tokens["no-admin"]!, "Fjordkaffe Nettbutikk")).data!.setLoginRedirectUris;
    expect(refused).toMatchObject({ __typename: "InvalidStateError", message: expect.stringContaining("switch Login off") });
    expect(await snapshot()).toEqual(before);

    // Sauna Oy Helsinki has the Login product (the test above) and no set-up yet.
    const fresh = (await set(await gateway.login("fi-admin"), "Sauna Oy Helsinki")).data!.setLoginRedirectUris;
    expect(fresh).toEqual({ __typename: "MutationSetLoginRedirectUrisSuccess", data: { activated: false, redirectUris: [] } });
  });

  it("switches Login on with the first redirect URIs of a unit with the product, also after consents made the set-up, audited and announced", async () => {
    const SET = `mutation($input: SetLoginRedirectUrisInput!) { setLoginRedirectUris(input: $input) {
      __typename ... on MutationSetLoginRedirectUrisSuccess { data { activated redirectUris } } } }`;
    const fiAdmin = await gateway.login("fi-admin");
    // Sauna Oy Helsinki has the Login product and a set-up without URIs (the tests above): the first URIs switch it on.
    const id = uuidOf(unit("Sauna Oy Helsinki").id);
    expect(await gateway.services.db.loginConfig.findUniqueOrThrow({ where: { salesUnitId: id } })).toMatchObject({ activated: false, redirectUris: [] });
    const first = await gateway.graphql<{ setLoginRedirectUris: unknown }>(fiAdmin, SET, { input: { salesUnitId: unit("Sauna Oy Helsinki").id, redirectUris: ["https://sauna.fi/login"] } });
    expect(first.data!.setLoginRedirectUris).toEqual({ __typename: "MutationSetLoginRedirectUrisSuccess", data: { activated: true, redirectUris: ["https://sauna.fi/login"] } });
    expect(await gateway.services.db.auditEvent.count({ where: { action: "login.activate", objectId: id } })).toBe(1);
    expect(await gateway.services.db.outboxEvent.count({ where: { type: "login.ACTIVATED", salesUnitId: id } })).toBe(1);
    // Switched off by hand, it stays off when the URIs change.
    expect((await activate(fiAdmin, "Sauna Oy Helsinki", false)).data!.setLoginActivated).toMatchObject({ data: { activated: false } });
    const changed = await gateway.graphql<{ setLoginRedirectUris: unknown }>(fiAdmin, SET, { input: { salesUnitId: unit("Sauna Oy Helsinki").id, redirectUris: ["https://sauna.fi/login2"] } });
    expect(changed.data!.setLoginRedirectUris).toMatchObject({ data: { activated: false } });
  });

  it("switches on the redirect URIs prepared before Login was ordered when the order is completed", async () => {
    const id = uuidOf(unit("Fjordkaffe Torgallmenningen").id);
    // Prepared in a test above, on a unit without the product.
    expect(await gateway.services.db.loginConfig.findUniqueOrThrow({ where: { salesUnitId: id } })).toMatchObject({ activated: false });
    const unitRow = await gateway.services.db.salesUnit.findUniqueOrThrow({ where: { id } });
    const order = await gateway.services.db.productOrder.create({
      data: { merchantId: unitRow.merchantId, product: "LOGIN", status: "IN_PROGRESS", salesUnitId: id, expectedBy: new Date() },
    });
    const operator = await gateway.login("operator");
    const completed = await gateway.graphql<{ completeProductOrder: { __typename: string } }>(
      operator,
      `mutation($input: CompleteProductOrderInput!) { completeProductOrder(input: $input) { __typename } }`,
      { input: { productOrderId: encodeGlobalID("ProductOrder", order.id) } },
    );
    expect(completed.data!.completeProductOrder.__typename).toBe("MutationCompleteProductOrderSuccess");
    expect(await gateway.services.db.loginConfig.findUniqueOrThrow({ where: { salesUnitId: id } })).toMatchObject({ activated: true });
    expect(await gateway.services.db.outboxEvent.count({ where: { type: "login.ACTIVATED", salesUnitId: id } })).toBe(1);
  });

  it("refuses a deactivated unit and callers without Developer", async () => {
    const before = await snapshot();
    expect((await activate(tokens["dk-admin"]!, "Hygge Cykler Vesterbro", false)).data!.setLoginActivated).toMatchObject({ __typename: "InvalidStateError" });
    expect((await activate(tokens["operator"]!, "Fjordkaffe Nettbutikk", false)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await activate(tokens["dk-admin"]!, "Fjordkaffe Nettbutikk", false)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });
});

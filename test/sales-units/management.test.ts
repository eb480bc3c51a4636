/** Managing sales units through the real API: validation, state rules, permissions, audit, keys and Login. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { activateProvisionedTestUnits, TEST_UNIT_PROVISIONING_MS } from "../../src/services/sales-units";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
let units: { id: string; msn: string; environment: string; status: string; name: string }[];

beforeAll(async () => {
  gateway = await startTestGateway();
  for (const key of ["no-admin", "no-sum", "no-sum-dev", "no-assistant", "no-assistant-dev", "dk-admin"]) tokens[key] = await gateway.login(key);
  const response = await gateway.graphql<{ salesUnits: { nodes: typeof units } }>(tokens["no-admin"]!, "{ salesUnits(first: 50) { nodes { id msn environment status name } } }");
  units = response.data!.salesUnits.nodes;
});
afterAll(async () => gateway?.stop());

const production = () => units.find((u) => u.environment === "PRODUCTION" && u.status === "ACTIVE")!;
const testUnit = () => units.find((u) => u.environment === "TEST" && u.status === "ACTIVE")!;
const assignedTo = (key: string) => units.find((u) => gateway.persona(key).salesUnits.includes(u.msn) && u.environment === "PRODUCTION" && u.status === "ACTIVE")!;

const UPDATE = `mutation($input: UpdateSalesUnitInput!) { updateSalesUnit(input: $input) {
  __typename ... on MutationUpdateSalesUnitSuccess { data { id name logoUrl settlementFrequency } }
  ... on Error { code message } ... on ValidationError { field } } }`;

type Result = { __typename: string; code?: string; field?: string; message?: string; data?: Record<string, unknown> };

async function snapshot() {
  const db = gateway.services.db;
  return { units: await db.salesUnit.findMany({ orderBy: { id: "asc" } }), audit: await db.auditEvent.count() };
}

describe("updateSalesUnit", () => {
  it("renames a production sales unit and writes an audit event", async () => {
    const unit = production();
    const response = await gateway.graphql<{ updateSalesUnit: Result }>(tokens["no-admin"]!, UPDATE, {
      input: { salesUnitId: unit.id, name: "Fjordkaffe Bryggen", settlementFrequency: "WEEKLY" },
    });
    expect(response.data!.updateSalesUnit).toMatchObject({ __typename: "MutationUpdateSalesUnitSuccess", data: { name: "Fjordkaffe Bryggen", settlementFrequency: "WEEKLY" } });
    const audit = await gateway.services.db.auditEvent.findFirst({ where: { action: "salesUnit.update" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actorKind: "USER", objectType: "SalesUnit", data: { after: { name: "Fjordkaffe Bryggen", settlementFrequency: "WEEKLY" } } });
  });

  it("refuses to change a test sales unit, and changes nothing", async () => {
    const before = await snapshot();
    const response = await gateway.graphql<{ updateSalesUnit: Result }>(tokens["no-admin"]!, UPDATE, { input: { salesUnitId: testUnit().id, name: "Renamed" } });
    expect(response.data!.updateSalesUnit).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a name over 50 characters and an http logo with the field named, and changes nothing", async () => {
    const before = await snapshot();
    const long = await gateway.graphql<{ updateSalesUnit: Result }>(tokens["no-admin"]!, UPDATE, { input: { salesUnitId: production().id, name: "x".repeat(51) } });
    expect(long.data!.updateSalesUnit).toMatchObject({ __typename: "ValidationError", field: "name" });
    const logo = await gateway.graphql<{ updateSalesUnit: Result }>(tokens["no-admin"]!, UPDATE, { input: { salesUnitId: production().id, logoUrl: "http://logo.example/x.png" } });
    expect(logo.data!.updateSalesUnit).toMatchObject({ __typename: "ValidationError", field: "logoUrl" });
    expect(await snapshot()).toEqual(before);
  });

  it("lets a Sales Unit Manager edit an assigned unit but not an Assistant", async () => {
    const unit = assignedTo("no-sum");
    const manager = await gateway.graphql<{ updateSalesUnit: Result }>(tokens["no-sum"]!, UPDATE, { input: { salesUnitId: unit.id, name: "Managed name" } });
    expect(manager.data!.updateSalesUnit.__typename).toBe("MutationUpdateSalesUnitSuccess");
    const assistantUnit = assignedTo("no-assistant");
    const assistant = await gateway.graphql(tokens["no-assistant"]!, UPDATE, { input: { salesUnitId: assistantUnit.id, name: "Nope" } });
    expect(assistant.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("gives the same FORBIDDEN for another merchant's unit and for one that does not exist", async () => {
    const foreign = await gateway.graphql(tokens["dk-admin"]!, UPDATE, { input: { salesUnitId: production().id, name: "Mine now" } });
    const missing = await gateway.graphql(tokens["dk-admin"]!, UPDATE, {
      input: { salesUnitId: encodeGlobalID("SalesUnit", "6b1f7c2e-0000-4000-8000-000000000000"), name: "Ghost" },
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(missing.errors?.[0]).toEqual(foreign.errors?.[0]);
  });
});

describe("updateSettlementAccount", () => {
  const MUTATION = `mutation($input: UpdateSettlementAccountInput!) { updateSettlementAccount(input: $input) {
    __typename ... on MutationUpdateSettlementAccountSuccess { data { settlementAccount } } ... on ValidationError { field code } } }`;

  it("accepts a valid Norwegian account from an Administrator and masks it for a manager", async () => {
    const unit = assignedTo("no-sum");
    const response = await gateway.graphql<{ updateSettlementAccount: Result }>(tokens["no-admin"]!, MUTATION, { input: { salesUnitId: unit.id, settlementAccount: "1234.56.78903" } });
    expect(response.data!.updateSettlementAccount).toEqual({ __typename: "MutationUpdateSettlementAccountSuccess", data: { settlementAccount: "12345678903" } });
    const read = await gateway.graphql<{ salesUnit: { settlementAccount: string } }>(tokens["no-sum"]!, `{ salesUnit(msn: "${unit.msn}") { settlementAccount } }`);
    expect(read.data!.salesUnit.settlementAccount).toBe("•••••••8903");
  });

  it("refuses an account with a wrong check digit", async () => {
    const response = await gateway.graphql<{ updateSettlementAccount: Result }>(tokens["no-admin"]!, MUTATION, { input: { salesUnitId: production().id, settlementAccount: "12345678901" } });
    expect(response.data!.updateSettlementAccount).toMatchObject({ __typename: "ValidationError", field: "settlementAccount" });
  });

  it("is for Administrators only", async () => {
    const response = await gateway.graphql(tokens["no-sum"]!, MUTATION, { input: { salesUnitId: assignedTo("no-sum").id, settlementAccount: "12345678903" } });
    expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("test sales units", () => {
  const CREATE = `mutation($input: CreateTestSalesUnitInput!) { createTestSalesUnit(input: $input) {
    __typename ... on MutationCreateTestSalesUnitSuccess { data { id msn status environment capabilities { directCapture recurring } } } } }`;

  it("are created PROVISIONING by a Sales Unit Manager with Developer, visible to them, then activated", async () => {
    const persona = gateway.persona("no-sum-dev");
    const response = await gateway.graphql<{ createTestSalesUnit: Result }>(tokens["no-sum-dev"]!, CREATE, {
      input: { merchantId: persona.merchantId, name: "Dev sandbox", directCapture: true },
    });
    const created = response.data!.createTestSalesUnit.data as { id: string; msn: string; status: string };
    expect(response.data!.createTestSalesUnit).toMatchObject({ data: { status: "PROVISIONING", environment: "TEST", capabilities: { directCapture: true, recurring: false } } });
    expect(created.msn).toMatch(/^\d{6}$/);
    const later = new Date(Date.now() + TEST_UNIT_PROVISIONING_MS + 1000);
    await activateProvisionedTestUnits({ db: gateway.services.db, clock: { now: () => later } });
    const read = await gateway.graphql<{ salesUnit: { status: string } }>(tokens["no-sum-dev"]!, `{ salesUnit(msn: "${created.msn}") { status } }`);
    expect(read.data!.salesUnit.status).toBe("ACTIVE");
  });

  it("cannot be created without Developer", async () => {
    const response = await gateway.graphql(tokens["no-sum"]!, CREATE, { input: { merchantId: gateway.persona("no-sum").merchantId, name: "Nope" } });
    expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("API keys", () => {
  const REVEAL = `mutation($input: RevealApiKeysInput!) { revealApiKeys(input: $input) { __typename ... on MutationRevealApiKeysSuccess { data { clientId clientSecret primarySubscriptionKey secondarySubscriptionKey } } } }`;
  const ROTATE = `mutation($input: RotateApiKeysInput!) { rotateApiKeys(input: $input) { __typename ... on MutationRotateApiKeysSuccess { data { clientId clientSecret primarySubscriptionKey secondarySubscriptionKey } } } }`;
  type Keys = { clientId: string; clientSecret: string; primarySubscriptionKey: string; secondarySubscriptionKey: string };

  async function exchange(keys: Keys, subscriptionKey: string) {
    return fetch(`${gateway.url}/accesstoken/get`, { method: "POST", headers: { client_id: keys.clientId, client_secret: keys.clientSecret, "Ocp-Apim-Subscription-Key": subscriptionKey } });
  }

  it("are revealed to an Assistant with Developer, audited, and work at /accesstoken/get", async () => {
    const unit = assignedTo("no-assistant-dev");
    const before = await gateway.services.db.auditEvent.count({ where: { action: "apiKeys.reveal" } });
    const response = await gateway.graphql<{ revealApiKeys: { data: Keys } }>(tokens["no-assistant-dev"]!, REVEAL, { input: { salesUnitId: unit.id } });
    const keys = response.data!.revealApiKeys.data;
    expect((await exchange(keys, keys.primarySubscriptionKey)).status).toBe(200);
    expect(await gateway.services.db.auditEvent.count({ where: { action: "apiKeys.reveal" } })).toBe(before + 1);
  });

  it("are not revealed without Developer", async () => {
    const response = await gateway.graphql(tokens["no-assistant"]!, REVEAL, { input: { salesUnitId: assignedTo("no-assistant").id } });
    expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("rotate one subscription key while the other keeps working", async () => {
    const unit = production();
    const old = (await gateway.graphql<{ revealApiKeys: { data: Keys } }>(tokens["no-admin"]!, REVEAL, { input: { salesUnitId: unit.id } })).data!.revealApiKeys.data;
    const rotated = (await gateway.graphql<{ rotateApiKeys: { data: Keys } }>(tokens["no-admin"]!, ROTATE, { input: { salesUnitId: unit.id, key: "PRIMARY_SUBSCRIPTION_KEY" } })).data!.rotateApiKeys.data;
    expect(rotated.primarySubscriptionKey).not.toBe(old.primarySubscriptionKey);
    expect(rotated.secondarySubscriptionKey).toBe(old.secondarySubscriptionKey);
    expect((await exchange(rotated, old.primarySubscriptionKey)).status).toBe(401);
    expect((await exchange(rotated, rotated.primarySubscriptionKey)).status).toBe(200);
    expect((await exchange(rotated, old.secondarySubscriptionKey)).status).toBe(200);
  });
});

describe("setLoginRedirectUris", () => {
  const SET = `mutation($input: SetLoginRedirectUrisInput!) { setLoginRedirectUris(input: $input) {
    __typename ... on MutationSetLoginRedirectUrisSuccess { data { activated redirectUris } } ... on ValidationError { field message } } }`;

  it("stores URIs exactly, trailing slash and query included", async () => {
    const uris = ["https://shop.example/callback/", "https://shop.example/callback?lang=nb", "myapp://login/done"];
    const response = await gateway.graphql<{ setLoginRedirectUris: Result }>(tokens["no-admin"]!, SET, { input: { salesUnitId: production().id, redirectUris: uris } });
    // This unit has no Login product: the URIs are kept, Login stays off until it is ordered.
    expect(response.data!.setLoginRedirectUris).toEqual({ __typename: "MutationSetLoginRedirectUrisSuccess", data: { activated: false, redirectUris: uris } });
  });

  it("refuses a fragment and names the offending entry", async () => {
    const response = await gateway.graphql<{ setLoginRedirectUris: Result }>(tokens["no-admin"]!, SET, {
      input: { salesUnitId: production().id, redirectUris: ["https://ok.example/cb", "https://bad.example/cb#x"] },
    });
    expect(response.data!.setLoginRedirectUris).toMatchObject({ __typename: "ValidationError", field: "redirectUris.1" });
  });

  it("accepts http://localhost on a test sales unit", async () => {
    const response = await gateway.graphql<{ setLoginRedirectUris: Result }>(tokens["no-admin"]!, SET, { input: { salesUnitId: testUnit().id, redirectUris: ["http://localhost:3000/callback"] } });
    expect(response.data!.setLoginRedirectUris.__typename).toBe("MutationSetLoginRedirectUrisSuccess");
  });
});

/**
 * Merchant API key tokens end with the keys they were issued under: rotating the client secret ends every token,
 * rotating a subscription key ends the tokens issued with that key and leaves those of the other one working,
 * through the cached principal and verified token too, and on every instance.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { waitFor } from "../events/support";

let gateway: TestGateway;
let admin: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  admin = await gateway.login("no-admin");
});
afterAll(async () => gateway?.stop());

type Keys = { clientId: string; clientSecret: string; primarySubscriptionKey: string; secondarySubscriptionKey: string };
const KEYS = "clientId clientSecret primarySubscriptionKey secondarySubscriptionKey";
const REVEAL = `mutation($input: RevealApiKeysInput!) { revealApiKeys(input: $input) { ... on MutationRevealApiKeysSuccess { data { ${KEYS} } } } }`;
const ROTATE = `mutation($input: RotateApiKeysInput!) { rotateApiKeys(input: $input) { ... on MutationRotateApiKeysSuccess { data { ${KEYS} } } } }`;

/** The keys of a production sales unit of its own per test, so the tests' rotations do not meet. */
async function freshKeys(index: number): Promise<{ salesUnitId: string; keys: Keys }> {
  const response = await gateway.graphql<{ salesUnits: { nodes: { id: string; environment: string; status: string }[] } }>(admin, "{ salesUnits(first: 50) { nodes { id environment status } } }");
  const units = response.data!.salesUnits.nodes.filter((u) => u.environment === "PRODUCTION" && u.status === "ACTIVE");
  const salesUnitId = units[index]!.id;
  const revealed = await gateway.graphql<{ revealApiKeys: { data: Keys } }>(admin, REVEAL, { input: { salesUnitId } });
  return { salesUnitId, keys: revealed.data!.revealApiKeys.data };
}

async function tokenFor(base: string, keys: Keys, subscriptionKey: string): Promise<string> {
  const response = await fetch(`${base}/accesstoken/get`, {
    method: "POST",
    headers: { client_id: keys.clientId, client_secret: keys.clientSecret, "Ocp-Apim-Subscription-Key": subscriptionKey },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function rotate(target: TestGateway, salesUnitId: string, key: string): Promise<Keys> {
  const response = await target.graphql<{ rotateApiKeys: { data: Keys } }>(admin, ROTATE, { input: { salesUnitId, key } });
  return response.data!.rotateApiKeys.data;
}

/** A request as the token: its status and error code. */
async function asToken(target: TestGateway, token: string) {
  const response = await target.graphql<{ viewer: { kind: string } }>(token, "{ viewer { kind } }");
  return { status: response.status, code: response.errors?.[0]?.extensions?.code ?? null, kind: response.data?.viewer?.kind ?? null };
}

describe("API key tokens after a rotation", () => {
  it("a client secret rotation ends every token issued before it, on the next request", async () => {
    const { salesUnitId, keys } = await freshKeys(0);
    const primary = await tokenFor(gateway.url, keys, keys.primarySubscriptionKey);
    const secondary = await tokenFor(gateway.url, keys, keys.secondarySubscriptionKey);
    // Used once, so the principal and the verified token are cached.
    expect(await asToken(gateway, primary)).toEqual({ status: 200, code: null, kind: "API_KEY" });
    expect(await asToken(gateway, secondary)).toEqual({ status: 200, code: null, kind: "API_KEY" });

    const rotated = await rotate(gateway, salesUnitId, "CLIENT_SECRET");
    expect(await asToken(gateway, primary)).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await asToken(gateway, secondary)).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await asToken(gateway, await tokenFor(gateway.url, rotated, rotated.primarySubscriptionKey))).toMatchObject({ status: 200, kind: "API_KEY" });
  });

  it("a primary key rotation ends the tokens issued with the primary key; those issued with the secondary keep working", async () => {
    const { salesUnitId, keys } = await freshKeys(1);
    const primary = await tokenFor(gateway.url, keys, keys.primarySubscriptionKey);
    const secondary = await tokenFor(gateway.url, keys, keys.secondarySubscriptionKey);
    expect(await asToken(gateway, primary)).toMatchObject({ status: 200 });

    const rotated = await rotate(gateway, salesUnitId, "PRIMARY_SUBSCRIPTION_KEY");
    expect(await asToken(gateway, primary)).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await asToken(gateway, secondary)).toEqual({ status: 200, code: null, kind: "API_KEY" });
    const renewed = await tokenFor(gateway.url, rotated, rotated.primarySubscriptionKey);
    expect(await asToken(gateway, renewed)).toMatchObject({ status: 200 });

    // And the other way round: the secondary's rotation leaves the new primary token alone.
    await rotate(gateway, salesUnitId, "SECONDARY_SUBSCRIPTION_KEY");
    expect(await asToken(gateway, secondary)).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(await asToken(gateway, renewed)).toMatchObject({ status: 200 });
  });

  it("a rotation through another instance ends the token on this one once the change is announced", async () => {
    const { salesUnitId, keys } = await freshKeys(2);
    const token = await tokenFor(gateway.url, keys, keys.primarySubscriptionKey);
    expect(await asToken(gateway, token)).toMatchObject({ status: 200 });
    const other = await startTestGateway({}, { sharing: gateway });
    try {
      await rotate(other, salesUnitId, "CLIENT_SECRET");
      await waitFor("the token to be refused on the first instance", async () => (await asToken(gateway, token)).status === 401);
    } finally {
      await other.stop();
    }
  });
});

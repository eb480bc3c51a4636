/** Token rules through the real HTTP API: what is accepted, what is refused, and with which code. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportJWK, generateKeyPair, UnsecuredJWT, decodeJwt } from "jose";
import { accessToken, startTestGateway, type TestGateway } from "../support/gateway";
import { decryptSecret } from "../../src/auth/secrets";

const VIEWER = "{ viewer { kind label } }";

describe("bearer tokens", () => {
  let gateway: TestGateway;
  let jwksServer: Server;
  let externalKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    externalKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "broker-1", alg: "RS256", use: "sig" };
    jwksServer = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    const port = (jwksServer.address() as AddressInfo).port;
    gateway = await startTestGateway({
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: "https://eid-broker.example",
      AUTH_AUDIENCE: "portal",
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    jwksServer?.close();
  });

  async function ownToken(overrides: { iss?: string; aud?: string; exp?: number; nbf?: number } = {}) {
    const valid = decodeJwt(await gateway.login("no-admin"));
    const signer = gateway.services.tokens as unknown as { keys: { current: { kid: string; privateKey: CryptoKey } } };
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ kind: "user", amr: valid.amr })
      .setProtectedHeader({ alg: "ES256", kid: signer.keys.current.kid })
      .setSubject(valid.sub!)
      .setIssuer(overrides.iss ?? "urn:portal-gateway")
      .setAudience(overrides.aud ?? "portal-gateway")
      .setIssuedAt(now - 60)
      .setNotBefore(overrides.nbf ?? now - 60)
      .setExpirationTime(overrides.exp ?? now + 600)
      .sign(signer.keys.current.privateKey);
  }

  async function expectRefused(token: string) {
    const response = await gateway.graphql(token, VIEWER);
    expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(response.data?.viewer ?? null).toBeNull();
  }

  it("accepts a token from the development login and says who it is", async () => {
    const response = await gateway.graphql<{ viewer: { kind: string; label: string } }>(await gateway.login("no-admin"), VIEWER);
    expect(response.data?.viewer).toEqual({ kind: "USER", label: gateway.persona("no-admin").name });
  });

  it("answers viewer: null without a token", async () => {
    const response = await gateway.graphql(null, VIEWER);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ viewer: null });
  });

  it("accepts a hand-made token that is valid in every respect (the control for the refusals below)", async () => {
    const response = await gateway.graphql(await ownToken(), VIEWER);
    expect(response.errors).toBeUndefined();
  });

  it("refuses an expired token", async () => {
    await expectRefused(await ownToken({ exp: Math.floor(Date.now() / 1000) - 120 }));
  });

  it("refuses a token that is not yet valid", async () => {
    await expectRefused(await ownToken({ nbf: Math.floor(Date.now() / 1000) + 600 }));
  });

  it("refuses a token from another issuer", async () => {
    await expectRefused(await ownToken({ iss: "urn:someone-else" }));
  });

  it("refuses a token for another audience", async () => {
    await expectRefused(await ownToken({ aud: "another-api" }));
  });

  it("refuses an unsigned token (alg: none)", async () => {
    const valid = decodeJwt(await gateway.login("no-admin"));
    const unsigned = new UnsecuredJWT({ kind: "user", amr: valid.amr })
      .setSubject(valid.sub!)
      .setIssuer("urn:portal-gateway")
      .setAudience("portal-gateway")
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("10m")
      .encode();
    await expectRefused(unsigned);
  });

  it("refuses a tampered token", async () => {
    const [header, payload, signature] = (await gateway.login("no-assistant")).split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    claims.sub = decodeJwt(await gateway.login("no-admin")).sub;
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
    await expectRefused(forged);
  });

  it("refuses garbage and a malformed Authorization header", async () => {
    await expectRefused("not-a-jwt");
    const response = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Basic abc" },
      body: JSON.stringify({ query: VIEWER }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("accepts an external eID broker's token from the configured JWKS", async () => {
    const admin = gateway.persona("dk-admin");
    const token = await new SignJWT({ nin: admin.nin, amr: [admin.method] })
      .setProtectedHeader({ alg: "RS256", kid: "broker-1" })
      .setSubject("broker-subject-1")
      .setIssuer("https://eid-broker.example")
      .setAudience("portal")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(externalKey);
    const response = await gateway.graphql<{ viewer: { kind: string; label: string } }>(token, VIEWER);
    expect(response.data?.viewer).toEqual({ kind: "USER", label: admin.name });
  });

  it("refuses an external token whose login method is not allowed for the person's country", async () => {
    const admin = gateway.persona("dk-admin");
    const token = await new SignJWT({ nin: admin.nin, amr: ["BANKID_NO"] })
      .setProtectedHeader({ alg: "RS256", kid: "broker-1" })
      .setSubject("broker-subject-2")
      .setIssuer("https://eid-broker.example")
      .setAudience("portal")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(externalKey);
    await expectRefused(token);
  });
});

describe("development login", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => gateway?.stop());

  async function devLogin(body: unknown) {
    return fetch(`${gateway.url}/auth/dev/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  it("refuses a login method not allowed for the user's country", async () => {
    const norwegian = gateway.persona("no-admin");
    const response = await devLogin({ nin: norwegian.nin, method: "MITID" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe("UNAUTHENTICATED");
  });

  it("lets Danish and Finnish users log in with e-mail and password", async () => {
    expect((await devLogin({ nin: gateway.persona("dk-admin").nin, method: "PASSWORD" })).status).toBe(200);
    expect((await devLogin({ nin: gateway.persona("fi-admin").nin, method: "PASSWORD" })).status).toBe(200);
  });

  it("lets a Swedish user added by a merchant log in with Swedish BankID only", async () => {
    const swede = gateway.persona("se-assistant");
    expect((await devLogin({ nin: swede.nin, method: "BANKID_SE" })).status).toBe(200);
    expect((await devLogin({ nin: swede.nin, method: "BANKID_NO" })).status).toBe(401);
  });

  it("answers 400 with the reason for a malformed body", async () => {
    const response = await devLogin({ nin: "123", method: "FACEBOOK" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/method/);
  });

  it("answers 400, not a server error, to a NIN with a NUL character", async () => {
    const response = await devLogin({ nin: `${gateway.persona("no-admin").nin}\u0000`, method: "BANKID_NO" });
    expect(response.status).toBe(400);
  });
});

describe("access tokens from client credentials", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => gateway?.stop());

  it("issues a partner token with the public response shape", async () => {
    const partner = gateway.persona("partner");
    const response = await fetch(`${gateway.url}/accesstoken/get`, {
      method: "POST",
      headers: { client_id: partner.clientId!, client_secret: partner.clientSecret!, "Ocp-Apim-Subscription-Key": partner.subscriptionKey! },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: "86400" });
  });

  it("refuses a scope the partner was not granted, naming it, and an unknown scope; a granted one gives a token with just that scope", async () => {
    const partner = gateway.persona("partner");
    const ask = (scope: string) =>
      fetch(`${gateway.url}/accesstoken/get`, {
        method: "POST",
        headers: { client_id: partner.clientId!, client_secret: partner.clientSecret!, "Ocp-Apim-Subscription-Key": partner.subscriptionKey!, scope },
      });
    expect(partner.scopes).not.toContain("PERSONAL_DATA_READ");
    const refused = await ask("TRANSACTIONS_READ PERSONAL_DATA_READ");
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: string; message: string };
    expect(body.error).toBe("FORBIDDEN");
    expect(body.message).toContain("not granted the scope PERSONAL_DATA_READ");
    const unknown = await ask("EVERYTHING");
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toContain("Unknown scope EVERYTHING");
    const granted = await ask("TRANSACTIONS_READ");
    expect(granted.status).toBe(200);
    const { access_token } = (await granted.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(JSON.stringify(claims)).toContain("TRANSACTIONS_READ");
    expect(JSON.stringify(claims)).not.toContain("PAYMENTS_WRITE");
  });

  it("refuses a wrong secret and a wrong subscription key", async () => {
    const partner = gateway.persona("partner");
    for (const headers of [
      { client_id: partner.clientId!, client_secret: "wrong", "Ocp-Apim-Subscription-Key": partner.subscriptionKey! },
      { client_id: partner.clientId!, client_secret: partner.clientSecret!, "Ocp-Apim-Subscription-Key": "wrong" },
    ]) {
      const response = await fetch(`${gateway.url}/accesstoken/get`, { method: "POST", headers });
      expect(response.status).toBe(401);
    }
  });

  it("issues a merchant API-key token valid for one hour on a TEST sales unit, reaching that unit only", async () => {
    const { db, encryptionKey } = gateway.services;
    const keys = await db.apiKeys.findFirstOrThrow({ where: { salesUnit: { environment: "TEST", status: "ACTIVE" } }, include: { salesUnit: true } });
    const response = await fetch(`${gateway.url}/accesstoken/get`, {
      method: "POST",
      headers: {
        client_id: keys.clientId,
        client_secret: decryptSecret(keys.clientSecretEncrypted, encryptionKey),
        "Ocp-Apim-Subscription-Key": decryptSecret(keys.secondarySubscriptionKeyEnc, encryptionKey),
      },
    });
    const body = (await response.json()) as { access_token: string; expires_in: string };
    expect(body.expires_in).toBe("3600");
    const units = await gateway.graphql<{ salesUnits: { nodes: { msn: string }[] } }>(body.access_token, "{ salesUnits(first: 50) { nodes { msn } } }");
    expect(units.data?.salesUnits.nodes).toEqual([{ msn: keys.salesUnit.msn }]);
  });

  it("stops honouring an issued API-key token once its sales unit is deactivated", async () => {
    const { db, encryptionKey } = gateway.services;
    const keys = await db.apiKeys.findFirstOrThrow({ where: { salesUnit: { environment: "PRODUCTION", status: "ACTIVE" } }, include: { salesUnit: true } });
    const token = await accessToken(gateway.url, keys.clientId, decryptSecret(keys.clientSecretEncrypted, encryptionKey), decryptSecret(keys.primarySubscriptionKeyEnc, encryptionKey));
    expect((await gateway.graphql(token, VIEWER)).data).toEqual({ viewer: { kind: "API_KEY", label: `API keys of ${keys.salesUnit.msn}` } });
    await db.salesUnit.update({ where: { id: keys.salesUnitId }, data: { status: "DEACTIVATED" } });
    await expectRefusedBy(gateway, token);
  });
});

/**
 * The change is written straight to the database, as another instance would: the gateway learns of it through the
 * access-change NOTIFY, which crosses a socket after the commit. Give it a bounded moment (one second).
 */
async function expectRefusedBy(gateway: TestGateway, token: string) {
  let code: unknown;
  for (let attempt = 0; attempt < 50 && code !== "UNAUTHENTICATED"; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const response = await gateway.graphql(token, VIEWER);
    code = response.errors?.[0]?.extensions?.code;
  }
  expect(code).toBe("UNAUTHENTICATED");
}

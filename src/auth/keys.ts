/**
 * Key material: the data-encryption key (API secrets, signing keys at rest) and the gateway's own JWT signing
 * key. Both come from configuration in production; in development they are generated on first start and kept
 * with the data (the encryption key in DATA_DIR, the signing key in the database, encrypted).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, importPKCS8, calculateJwkThumbprint, type JWK, type CryptoKey } from "jose";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { decryptSecret, encryptSecret } from "./secrets";

export const SIGNING_ALGORITHM = "ES256";

export function loadEncryptionKey(config: Pick<Config, "encryptionKey" | "dataDir">): Buffer {
  if (config.encryptionKey) return parseKey(config.encryptionKey, "ENCRYPTION_KEY");
  const file = path.join(config.dataDir, "encryption.key");
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  return parseKey(readFileSync(file, "utf8").trim(), file);
}

function parseKey(value: string, source: string): Buffer {
  const key = Buffer.from(value, "base64");
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes, base64-encoded (try: openssl rand -base64 32).`);
  return key;
}

export interface SigningKeys {
  /** The key new tokens are signed with. */
  current: { kid: string; privateKey: CryptoKey };
  /** Every public key our own tokens may be verified with, by kid. */
  publicKeys: Map<string, CryptoKey>;
  /** The public JWKS document (served at /.well-known/jwks.json). */
  jwks: { keys: JWK[] };
}

export async function loadSigningKeys(db: Db, config: Pick<Config, "jwtSigningKey">, encryptionKey: Buffer): Promise<SigningKeys> {
  if (config.jwtSigningKey) {
    const privateKey = await importPKCS8(config.jwtSigningKey, SIGNING_ALGORITHM, { extractable: true });
    const publicJwk = publicPart(await exportJWK(privateKey));
    const kid = await calculateJwkThumbprint(publicJwk);
    return keySet([{ kid, publicJwk, privateKey }]);
  }
  const rows = await db.signingKey.findMany({ where: { retiredAt: null }, orderBy: { createdAt: "desc" } });
  if (rows.length === 0) throw new Error("No signing key: run ensureSigningKey at start-up.");
  const keys = await Promise.all(
    rows.map(async (row) => ({
      kid: row.kid,
      publicJwk: row.publicJwk as JWK,
      privateKey: (await importJWK(JSON.parse(decryptSecret(row.privateJwkEncrypted, encryptionKey)) as JWK, SIGNING_ALGORITHM)) as CryptoKey,
    })),
  );
  return keySet(keys);
}

/** Creates the first signing key when none exists. Call under the start-up lock so two instances agree. */
export async function ensureSigningKey(db: Db, encryptionKey: Buffer): Promise<void> {
  if ((await db.signingKey.count({ where: { retiredAt: null } })) > 0) return;
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const kid = randomUUID();
  await db.signingKey.create({
    data: {
      kid,
      algorithm: SIGNING_ALGORITHM,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALGORITHM, use: "sig" },
      privateJwkEncrypted: encryptSecret(JSON.stringify(await exportJWK(privateKey)), encryptionKey),
    },
  });
}

function publicPart(jwk: JWK): JWK {
  const { d: _private, ...rest } = jwk;
  return rest;
}

async function keySet(keys: { kid: string; publicJwk: JWK; privateKey: CryptoKey }[]): Promise<SigningKeys> {
  const [first] = keys;
  if (!first) throw new Error("Empty signing key set");
  const publicKeys = new Map<string, CryptoKey>();
  const jwks: JWK[] = [];
  for (const key of keys) {
    const jwk = { ...publicPart(key.publicJwk), kid: key.kid, alg: SIGNING_ALGORITHM, use: "sig" };
    publicKeys.set(key.kid, (await importJWK(jwk, SIGNING_ALGORITHM)) as CryptoKey);
    jwks.push(jwk);
  }
  return { current: { kid: first.kid, privateKey: first.privateKey }, publicKeys, jwks: { keys: jwks } };
}

/**
 * Secrets at rest: API secrets and signing keys are encrypted (AES-256-GCM, they must be shown again),
 * partner client secrets are hashed (scrypt, they are only ever compared).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from "node:crypto";

const scryptAsync = (secret: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));

const VERSION = "v1";

export function encryptSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("Unknown secret format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** scrypt with a random salt; the cost parameters travel with the hash so they can be raised later. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, 32, { N: 16384, r: 8, p: 1 });
  return ["scrypt", "16384", salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** On the libuv thread pool: a synchronous scrypt would stall every other request for its ~50 ms. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scryptAsync(secret, Buffer.from(salt, "base64url"), expected.length, { N: Number(n), r: 8, p: 1 });
  return timingSafeEqual(expected, actual);
}

/** A client secret or subscription key: 32 random bytes, URL-safe. */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function generateClientId(): string {
  return randomUUID();
}

/**
 * Subscription keys are looked up by value, so they are stored as a SHA-256 digest: a lookup needs no
 * decryption and a leaked table does not leak usable keys (they are high-entropy, so no salt is needed).
 */
export function digestKey(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Compares two strings in constant time (for secrets). */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The payment platform's request signature (the webhook scheme merchants already know; docs/public-contract.md): HMAC-SHA256 with
 * the shared secret (as UTF-8 bytes) over `POST\n<path and query>\n<x-ms-date>;<host>;<x-ms-content-sha256>`, where
 * the content hash is the base64 SHA-256 of the raw body. The date is signed, so a bounded clock skew also bounds
 * how long a captured request can be replayed; event ids close the rest of that window.
 */
import { createHash, createHmac } from "node:crypto";
import { secretsEqual } from "./secrets";

export const SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256";

/** How far x-ms-date may be from the gateway's clock, either way. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const AUTHORIZATION = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/;

export interface SignedParts {
  method: string;
  /** Path and query string exactly as requested, e.g. `/platform/events`. */
  pathAndQuery: string;
  host: string;
  /** The x-ms-date header as sent (an HTTP date). */
  date: string;
  contentHash: string;
}

export function contentHash(body: string): string {
  return createHash("sha256").update(body, "utf8").digest("base64");
}

export function computeSignature(secret: string, parts: SignedParts): string {
  const signed = `${parts.method}\n${parts.pathAndQuery}\n${parts.date};${parts.host};${parts.contentHash}`;
  return createHmac("sha256", secret).update(signed, "utf8").digest("base64");
}

/** The headers the platform sends with `body`; tests and demo scripts use it to play the platform. */
export function signRequest(secret: string, request: { url: string | URL; body: string; date: Date; method?: string }): Record<string, string> {
  const url = new URL(request.url);
  const date = request.date.toUTCString();
  const hash = contentHash(request.body);
  const signature = computeSignature(secret, {
    method: request.method ?? "POST",
    pathAndQuery: url.pathname + url.search,
    host: url.host,
    date,
    contentHash: hash,
  });
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": hash,
    authorization: `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}&Signature=${signature}`,
  };
}

export interface ReceivedRequest {
  method: string;
  pathAndQuery: string;
  host: string;
  body: string;
  headers: { date: string | null; contentHash: string | null; authorization: string | null };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks a received request; the reason tells the sender what to fix, never what the right signature is. */
export function verifySignedRequest(secret: string, request: ReceivedRequest, now: Date): SignatureCheck {
  const { date, contentHash: sentHash, authorization } = request.headers;
  if (!date || !sentHash || !authorization) {
    return { ok: false, reason: "Sign the request: send the x-ms-date, x-ms-content-sha256 and Authorization (HMAC-SHA256) headers." };
  }
  const sentAt = Date.parse(date);
  if (Number.isNaN(sentAt) || Math.abs(now.getTime() - sentAt) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: "x-ms-date is missing, malformed or more than 5 minutes from the server's time: sign the request again with the current time." };
  }
  const actualHash = contentHash(request.body);
  if (!secretsEqual(sentHash, actualHash)) {
    return { ok: false, reason: "x-ms-content-sha256 is not the base64 SHA-256 of the body: hash the exact bytes you send." };
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match || match[1] !== SIGNED_HEADERS) {
    return { ok: false, reason: `Send Authorization as "HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}&Signature=<base64>".` };
  }
  const expected = computeSignature(secret, { method: request.method, pathAndQuery: request.pathAndQuery, host: request.host, date, contentHash: actualHash });
  if (!secretsEqual(match[2] ?? "", expected)) {
    return { ok: false, reason: "The signature does not match: sign with the secret registered for this environment." };
  }
  return { ok: true };
}

/**
 * Idempotency keys (docs/transactions.md#idempotency): a retried request is recognised by a hash of its canonical input, so the same fields
 * with the same values match whatever order a client serialised them in.
 */
import { createHash } from "node:crypto";

export type IdempotentInput = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * JSON with sorted keys, and `undefined` written as `null` so an omitted optional field equals an explicit null.
 * Written by hand because money-mutation inputs are flat records of scalars: sorting the keys is all it takes.
 */
export function canonicalJson(input: IdempotentInput): string {
  const entries = Object.keys(input)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(input[key] ?? null)}`);
  return `{${entries.join(",")}}`;
}

/** SHA-256 (hex) of the operation name and its canonical input: the same key for another operation never matches. */
export function requestHash(operation: string, input: IdempotentInput): string {
  return createHash("sha256").update(`${operation}\n${canonicalJson(input)}`).digest("hex");
}

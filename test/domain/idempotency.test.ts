import { describe, expect, it } from "vitest";
import { canonicalJson, requestHash } from "../../src/domain/idempotency";

describe("idempotency request hashes", () => {
  it("writes keys in sorted order and an omitted field as null", () => {
    expect(canonicalJson({ b: 1, a: "x", c: undefined })).toBe('{"a":"x","b":1,"c":null}');
  });

  it("gives the same hash whatever the key order, and for an omitted versus a null field", () => {
    expect(requestHash("captureTransaction", { transactionId: "t", amount: undefined })).toBe(requestHash("captureTransaction", { amount: null, transactionId: "t" }));
  });

  it("gives another hash for another value or another operation", () => {
    const base = requestHash("captureTransaction", { transactionId: "t", amount: 100 });
    expect(requestHash("captureTransaction", { transactionId: "t", amount: 101 })).not.toBe(base);
    expect(requestHash("refundTransaction", { transactionId: "t", amount: 100 })).not.toBe(base);
    expect(requestHash("captureTransaction", { transactionId: "t", amount: "100" })).not.toBe(base);
  });
});

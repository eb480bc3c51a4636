import { describe, expect, it } from "vitest";
import { computeSignature, contentHash, signRequest, verifySignedRequest, type ReceivedRequest } from "../../src/auth/platform-signature";

const SECRET = "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==";
const NOW = new Date("2023-03-30T08:38:32Z");

function received(body: string, headers: Record<string, string>, path = "/platform/events"): ReceivedRequest {
  return {
    method: "POST",
    pathAndQuery: path,
    host: "gateway.example",
    body,
    headers: { date: headers["x-ms-date"] ?? null, contentHash: headers["x-ms-content-sha256"] ?? null, authorization: headers.authorization ?? null },
  };
}

describe("platform request signatures", () => {
  it("matches the payment platform's published example", () => {
    const body = JSON.stringify({ "some-unique-content": "ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world" });
    const hash = contentHash(body);
    expect(hash).toBe("lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=");
    const signature = computeSignature(SECRET, {
      method: "POST",
      pathAndQuery: "/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63",
      host: "webhook.site",
      date: "Thu, 30 Mar 2023 08:38:32 GMT",
      contentHash: hash,
    });
    expect(signature).toBe("agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=");
  });

  it("accepts what signRequest produces", () => {
    const body = '{"eventId":"1"}';
    const headers = signRequest(SECRET, { url: "https://gateway.example/platform/events", body, date: NOW });
    expect(verifySignedRequest(SECRET, received(body, headers), NOW)).toEqual({ ok: true });
  });

  it("refuses another secret, another path, another body and a stale or future date", () => {
    const body = '{"eventId":"1"}';
    const headers = signRequest(SECRET, { url: "https://gateway.example/platform/events", body, date: NOW });
    expect(verifySignedRequest("other", received(body, headers), NOW).ok).toBe(false);
    expect(verifySignedRequest(SECRET, received(body, headers, "/platform/events?x=1"), NOW).ok).toBe(false);
    expect(verifySignedRequest(SECRET, received('{"eventId":"2"}', headers), NOW).ok).toBe(false);
    expect(verifySignedRequest(SECRET, received(body, headers), new Date(NOW.getTime() + 5 * 60_000 + 1)).ok).toBe(false);
    expect(verifySignedRequest(SECRET, received(body, headers), new Date(NOW.getTime() - 5 * 60_000 - 1)).ok).toBe(false);
    expect(verifySignedRequest(SECRET, received(body, headers), new Date(NOW.getTime() + 5 * 60_000)).ok).toBe(true);
  });

  it("refuses missing headers and other signed-header lists", () => {
    const body = "{}";
    const headers = signRequest(SECRET, { url: "https://gateway.example/platform/events", body, date: NOW });
    expect(verifySignedRequest(SECRET, received(body, { ...headers, authorization: "" }), NOW).ok).toBe(false);
    const reordered = headers.authorization!.replace("x-ms-date;host;x-ms-content-sha256", "host;x-ms-date;x-ms-content-sha256");
    expect(verifySignedRequest(SECRET, received(body, { ...headers, authorization: reordered }), NOW).ok).toBe(false);
  });
});

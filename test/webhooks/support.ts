/** Local HTTP receivers for the webhook tests, and an independent check of the signature scheme. */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { expect } from "vitest";
import type { TestGateway } from "../support/gateway";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered (null: it never answered). */
  status: number | null;
}

export type Answer = number | "hang";

/**
 * A gateway whose webhook worker works at test speed: it polls every 25 ms, retries after 10–50 ms, sends up to four
 * deliveries of an endpoint at once, and may deliver to receivers on 127.0.0.1.
 */
export const FAST_WEBHOOKS = {
  WEBHOOK_ALLOW_PRIVATE_NETWORK: "true",
  WEBHOOK_POLL_INTERVAL_MS: "25",
  WEBHOOK_RETRY_BASE_MS: "10",
  WEBHOOK_RETRY_MAX_DELAY_MS: "50",
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: "4",
  OUTBOX_POLL_INTERVAL_MS: "25",
} as const;

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered 2xx. */
  acknowledged(): Received[];
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 that answers each request with what `answer` says (a status, or never). */
export async function startReceiver(answer: (request: Received, index: number) => Answer = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry: Received = { path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), status: null };
      const index = received.length;
      received.push(entry);
      const what = answer(entry, index);
      if (what === "hang") return;
      entry.status = what;
      response.writeHead(what, { "content-type": "text/plain" }).end(what < 300 ? "thanks" : "try again later");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    acknowledged: () => received.filter((entry) => entry.status !== null && entry.status >= 200 && entry.status < 300),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The signature scheme written out again from its description (docs/webhooks.md), without the gateway's code:
 * base64 SHA-256 of the body; HMAC-SHA256 with the secret over `POST\n<path and query>\n<date>;<host>;<hash>`.
 */
export function verifies(secret: string, request: Received, authorizationHeader = "authorization"): boolean {
  const date = String(request.headers["x-ms-date"] ?? "");
  const hash = createHash("sha256").update(request.body).digest("base64");
  if (request.headers["x-ms-content-sha256"] !== hash) return false;
  const match = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(String(request.headers[authorizationHeader] ?? ""));
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(`POST\n${request.path}\n${date};${request.headers.host};${hash}`).digest();
  const given = Buffer.from(match[1]!, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * As the "no-admin" persona (an Administrator of Fjordkaffe AS), registers `url` for `transaction.CAPTURED` of the
 * merchant of one of its active production sales units; returns that unit, to make payments on.
 */
export async function createCapturedEndpoint(gateway: TestGateway, url: string): Promise<{ msn: string; merchantId: string }> {
  const persona = gateway.persona("no-admin");
  const unit = await gateway.services.db.salesUnit.findFirstOrThrow({ where: { msn: { in: persona.salesUnits }, environment: "PRODUCTION", status: "ACTIVE" } });
  const created = await gateway.graphql<{ createWebhookEndpoint: { __typename: string } }>(
    await gateway.token("no-admin"),
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename } }`,
    { input: { merchantId: encodeGlobalID("Merchant", unit.merchantId), url, eventTypes: ["transaction.CAPTURED"] } },
  );
  expect(created.data?.createWebhookEndpoint.__typename).toBe("MutationCreateWebhookEndpointSuccess");
  return unit;
}

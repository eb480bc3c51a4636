/**
 * One HTTP POST of a webhook, with the network rules applied where they cannot be dodged: the host name is resolved
 * here, every address it resolves to is checked, and the socket connects to the checked address (a custom `lookup`),
 * so a DNS answer that changes between check and connect cannot slip a private address in. Redirects are not
 * followed (a 3xx is a failed attempt), the whole exchange has a deadline, and at most MAX_RESPONSE_BYTES of the
 * answer are read. Written on node:http rather than fetch because fetch offers no hook between resolving and
 * connecting.
 */
import { lookup as dnsLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIpLiteral, refusalOf, type AddressRules } from "./addresses";

/** How much of a receiver's answer is read; the rest is cut off (receivers should answer 2xx with a short body). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of it is kept in the attempt log. */
export const RESPONSE_EXCERPT_CHARS = 1024;

export interface SendResult {
  /** The HTTP status, or null when no answer came (refused, timed out, unreachable). */
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  durationMs: number;
  /** The gateway stopped the attempt itself (shutting down): no outcome of the receiver's. */
  aborted?: true;
}

export class RefusedAddressError extends Error {
  readonly code = "WEBHOOK_ADDRESS_REFUSED";
}

/** Resolves like dns.lookup, then refuses the lot if any address is forbidden (a mixed answer is suspect). */
function checkedLookup(rules: AddressRules): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list = addresses as unknown as { address: string; family: number }[];
      if (list.length === 0) return callback(new Error(`${hostname} resolves to no address`), "", 0);
      for (const entry of list) {
        const refusal = refusalOf(entry.address, rules);
        // Without the address: the message reaches the endpoint's owner, and the gateway's resolver must not tell
        // them what an internal name resolves to.
        if (refusal) return callback(new RefusedAddressError(`${hostname} resolves to a loopback, private or otherwise non-public address, which webhooks may not reach`), "", 0);
      }
      if (options.all) return callback(null, list as never);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

const agents = new WeakMap<AddressRules, { http: http.Agent; https: https.Agent }>();

/** Keep-alive agents per rule set; sockets are made through the checked lookup only. */
function agentsFor(rules: AddressRules) {
  let pair = agents.get(rules);
  if (!pair) {
    const lookup = checkedLookup(rules);
    pair = { http: new http.Agent({ keepAlive: true, lookup }), https: new https.Agent({ keepAlive: true, lookup }) };
    agents.set(rules, pair);
  }
  return pair;
}

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  rules: AddressRules;
  /** Aborted when the gateway shuts down: the attempt ends as failed and is tried again later. */
  signal?: AbortSignal;
}

export function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Omit<SendResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const fail = (error: string) => finish({ statusCode: null, responseExcerpt: null, error });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      resolve({ statusCode: null, responseExcerpt: null, error: "The endpoint URL is not a valid URL.", durationMs: 0 });
      return;
    }
    // An address literal is never looked up, so the lookup hook would not see it: check it here.
    if (isIpLiteral(url.hostname)) {
      const refusal = refusalOf(url.hostname, request.rules);
      if (refusal) {
        resolve({ statusCode: null, responseExcerpt: null, error: refusal, durationMs: 0 });
        return;
      }
    }
    const secure = url.protocol === "https:";
    const agent = secure ? agentsFor(request.rules).https : agentsFor(request.rules).http;
    const outgoing = (secure ? https : http).request(url, {
      method: "POST",
      agent,
      headers: { ...request.headers, "content-length": Buffer.byteLength(request.body).toString() },
    });
    timer = setTimeout(() => {
      fail(`No complete answer within ${request.timeoutMs} ms.`);
      outgoing.destroy();
    }, request.timeoutMs);
    const abort = () => {
      finish({ statusCode: null, responseExcerpt: null, error: "The gateway shut down during the attempt.", aborted: true });
      outgoing.destroy();
    };
    if (request.signal?.aborted) abort();
    request.signal?.addEventListener("abort", abort, { once: true });
    outgoing.on("close", () => request.signal?.removeEventListener("abort", abort));
    outgoing.on("error", (error) => fail(error instanceof RefusedAddressError ? error.message : `Could not deliver: ${error.message}`));
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        const excerpt = text.length > 0 ? text.slice(0, RESPONSE_EXCERPT_CHARS) : null;
        finish({ statusCode: status, responseExcerpt: excerpt, error: status >= 200 && status < 300 ? null : describeStatus(status) });
      };
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        else {
          chunks.push(chunk.subarray(0, Math.max(0, MAX_RESPONSE_BYTES - (size - chunk.length))));
          // The status is known; the rest of an oversized body is not worth waiting for.
          done();
          response.destroy();
        }
      });
      response.on("end", done);
      response.on("error", (error) => fail(`The answer broke off: ${error.message}`));
    });
    outgoing.end(request.body);
  });
}

function describeStatus(status: number): string {
  if (status >= 300 && status < 400) return `The endpoint answered ${status} (a redirect): redirects are not followed, register the final URL.`;
  return `The endpoint answered ${status}; only 2xx counts as delivered.`;
}

/**
 * Applies the request budgets: per client address to every HTTP request but the health probes (refused before
 * routing, parsing or authentication) and to anonymous operations over WebSocket, and per principal to every query
 * and mutation on any transport.
 * Subscriptions are long-lived and bounded per connection instead (MAX_SUBSCRIPTIONS_PER_CONNECTION).
 */
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import ipaddr from "ipaddr.js";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context";
import { RateLimitedError, type LimitName, type RateLimits } from "./rate-limits";

/**
 * The peer's address as the socket sees it, as the budgets count it (`addressKey`); behind a proxy that is the
 * proxy's, so budget the proxy accordingly.
 */
export function clientAddress(serverContext: unknown): string {
  // A WebSocket operation's server context carries the address alone (src/events/graphql-ws-server.ts).
  const { req, address } = serverContext as { req?: IncomingMessage; address?: string | null };
  const peer = req?.socket.remoteAddress ?? address;
  return peer ? addressKey(peer) : "unknown";
}

/**
 * Whom an address budgets: an IPv4 address (also one written IPv4-mapped, ::ffff:a.b.c.d), or an IPv6 /64, the share
 * one host or home usually gets and can take any address of at will; budgets per IPv6 address would be one per guess.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(":")}::/64`;
}

export function tooManyRequests(error: RateLimitedError): Response {
  return new Response(JSON.stringify({ error: "RATE_LIMITED", message: error.message }), {
    status: 429,
    headers: { "content-type": "application/json; charset=utf-8", "retry-after": String(error.retryAfterSeconds) },
  });
}

function rateLimitedError(error: RateLimitedError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: "RATE_LIMITED", retryAfterSeconds: error.retryAfterSeconds, http: { status: 429, headers: { "retry-after": String(error.retryAfterSeconds) } } },
  });
}

/**
 * Probes (and the metrics scraper) must see the gateway's health even while a client is being refused: an orchestrator that polls from the
 * same address as a busy client would otherwise read 429 as "not ready" (or miss a real outage behind it).
 */
const UNLIMITED_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** For a resolver with its own budget: a spent budget becomes the same 429 GraphQL error as the plugin's. */
export async function consumeOrRefuse(limits: RateLimits, name: LimitName, key: string): Promise<void> {
  try {
    await limits.consume(name, key);
  } catch (error) {
    if (error instanceof RateLimitedError) throw rateLimitedError(error);
    throw error;
  }
}

/**
 * Budgets a request was already charged for before it reached Yoga (by the compiled reads' fast lane,
 * src/sql/fast-lane.ts), with their outcome: the plugin then uses that outcome instead of charging again. `principal`
 * is absent when that budget was not charged yet.
 */
export interface Charges {
  address: RateLimitedError | null;
  principal?: RateLimitedError | null;
}

const charged = new WeakMap<IncomingMessage, Charges>();

export function recordCharges(req: IncomingMessage, charges: Charges): void {
  charged.set(req, charges);
}

function chargesOf(serverContext: unknown): Charges | undefined {
  const { req } = serverContext as { req?: IncomingMessage };
  return req ? charged.get(req) : undefined;
}

export function rateLimitPlugin(limits: RateLimits): Plugin {
  const perPrincipal = async (context: Context): Promise<GraphQLError | null> => {
    // An anonymous operation over a WebSocket (no HTTP request, so no address charge at onRequest) spends its
    // address's budget, as it would over HTTP; an anonymous HTTP request was charged already.
    const anonymousOverWebSocket = !context.principal && !(context as { req?: unknown }).req;
    if (!context.principal && !anonymousOverWebSocket) return null;
    const principal = chargesOf(context)?.principal;
    if (principal !== undefined) return principal && rateLimitedError(principal);
    try {
      if (context.principal) await limits.consume("principal", `${context.principal.kind}:${context.principal.id}`);
      else await limits.consume("address", context.clientAddress);
      return null;
    } catch (error) {
      if (error instanceof RateLimitedError) return rateLimitedError(error);
      throw error;
    }
  };
  return {
    async onRequest({ url, serverContext, endResponse }) {
      if (UNLIMITED_PATHS.has(url.pathname)) return;
      const known = chargesOf(serverContext);
      if (known) {
        if (known.address) endResponse(tooManyRequests(known.address));
        return;
      }
      try {
        await limits.consume("address", clientAddress(serverContext));
      } catch (error) {
        if (error instanceof RateLimitedError) return endResponse(tooManyRequests(error));
        throw error;
      }
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const refused = await perPrincipal(args.contextValue as unknown as Context);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}

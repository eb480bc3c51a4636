/**
 * The HTTP endpoints beside /graphql (docs/public-contract.md), as a Yoga plugin so they share its server, CORS and fetch API:
 * POST /accesstoken/get, POST /auth/dev/login (development only), GET /.well-known/jwks.json.
 */
import type { Readable, Writable } from "node:stream";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import { z } from "zod";
import type { Services } from "../deps";
import { exchangeClientCredentials } from "../auth/credentials";
import { AuthenticationError, ForbiddenError } from "../auth/errors";
import { assertLoginAllowed } from "../auth/principal";
import { LoginMethod, PartnerScope } from "../generated/prisma/enums";
import { isValidNin, parseNin } from "../domain/nin";
import { isDatabaseUnavailable } from "../db/errors";
import { loggableError } from "../logging";
import { clientAddress, tooManyRequests } from "../limits/plugin";
import { RateLimitedError, type RateLimits } from "../limits/rate-limits";

/**
 * Brute-force protection for the login endpoints: failed attempts are counted per client address (an IPv6 /64 being
 * one address, `clientAddress`), and once the budget is spent every attempt is refused with 429 before any secret is
 * checked. Only a refusal of what the caller sent counts (a 4xx, a refused credential, a malformed body): an answer
 * that is the gateway's own trouble (the database unavailable, a 503 clients are told to retry) must not lock every
 * terminal behind a proxy out once the database is back.
 *
 * Failures are not counted per client_id: a client_id is not secret, so anyone could spend that budget from a few
 * addresses and lock the integration out, and it protects nothing, since client secrets and subscription keys are
 * 256 random bits each, beyond guessing at any rate.
 */
async function throttledLogin(limits: RateLimits, address: string, attempt: () => Promise<Response>): Promise<Response> {
  await limits.assertOpen("loginFailures", address);
  const failed = () => limits.penalise("loginFailures", address);
  try {
    const response = await attempt();
    if (response.status >= 400 && response.status < 500) await failed();
    return response;
  } catch (error) {
    if (error instanceof AuthenticationError || error instanceof ForbiddenError || error instanceof z.ZodError) await failed();
    throw error;
  }
}

/** The NIN as typed and as each country would normalise it (dashes, century digits), for lookup. */
function ninSpellings(input: string): string[] {
  const typed = input.trim();
  const countries = ["NO", "DK", "FI", "SE"] as const;
  return [...new Set([typed, ...countries.filter((c) => isValidNin(c, typed)).map((c) => parseNin(c, typed).nin)])];
}

const isPartnerScope = (scope: string): scope is PartnerScope => Object.hasOwn(PartnerScope, scope);

/** Development sessions last a working day. */
const DEV_SESSION_TTL_SECONDS = 8 * 3600;

/** Who sent a request, and what a route that streams its answer needs of the connection. */
export interface RouteClient {
  address: string;
  /**
   * A response whose body is `stream`. The Node adapter pipes such a body into the socket at the client's pace and
   * destroys it when the connection closes (it pumps a web stream without either, so one left behind by a client
   * that went away would wait for ever).
   */
  streamResponse(stream: Readable, init: ResponseInit): Response;
  /** Drops the connection without finishing the response: a client sees a download that failed midway as incomplete. */
  cutShort(): void;
}

/** `params` holds the `:name` segments of a pattern key such as "GET /qr/:file"; `client` who sent the request. */
export type RouteHandler = (request: Request, url: URL, params: Record<string, string>, client: RouteClient) => Promise<Response> | Response;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

export function problem(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: code, message }, status, headers);
}

interface PatternRoute {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/**
 * Control characters in a decoded segment (a NUL the database refuses, a line break): no id, slug or file name has
 * them, so such a path names nothing here.
 */
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * Matches "/a/:b" against a path: each `:name` segment takes one non-empty path segment, decoded, without control
 * characters.
 */
function matchPattern(route: PatternRoute, path: string[]): Record<string, string> | null {
  if (route.segments.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of route.segments.entries()) {
    const actual = path[i]!;
    if (segment.startsWith(":")) {
      if (actual === "") return null;
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return null;
      }
      if (CONTROL_CHARACTERS.test(decoded)) return null;
      params[segment.slice(1)] = decoded;
    } else if (segment !== actual) {
      return null;
    }
  }
  return params;
}

/**
 * Keys are "METHOD /path", matched exactly, or "METHOD /path/:param" patterns, tried in order after the exact ones.
 * An error a route does not turn into an answer itself is logged and answered 500 without its details, as the
 * GraphQL endpoint masks one.
 */
export function routesPlugin(routes: Record<string, RouteHandler>, logger: Logger): Plugin {
  const exact = new Map<string, Map<string, RouteHandler>>();
  const patterns: PatternRoute[] = [];
  for (const [key, handler] of Object.entries(routes)) {
    const [method, path] = key.split(" ") as [string, string];
    if (path.includes("/:")) patterns.push({ method, segments: path.split("/"), handler });
    else exact.set(path, (exact.get(path) ?? new Map<string, RouteHandler>()).set(method, handler));
  }
  /** The routes serving a path, by method: exact paths first, then patterns in their order (the first match wins). */
  const routesFor = (pathname: string) => {
    const found = new Map<string, { handler: RouteHandler; params: Record<string, string> }>();
    for (const [method, handler] of exact.get(pathname) ?? []) found.set(method, { handler, params: {} });
    const path = pathname.split("/");
    for (const route of patterns) {
      if (found.has(route.method)) continue;
      const params = matchPattern(route, path);
      if (params) found.set(route.method, { handler: route.handler, params });
    }
    return found;
  };
  return {
    async onRequest({ request, url, endResponse, serverContext, fetchAPI }) {
      const served = routesFor(url.pathname);
      // HEAD is answered as GET without the body (monitors probe /healthz so); OPTIONS stays Yoga's (CORS preflight).
      const head = request.method === "HEAD";
      const found = served.get(head ? "GET" : request.method);
      if (!found) {
        if (request.method === "OPTIONS") return;
        const allowed = [...served.keys()];
        if (allowed.length > 0) {
          const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
          endResponse(problem(405, "METHOD_NOT_ALLOWED", `${request.method} is not served here: use ${allow.join(" or ")}.`, { allow: allow.join(", ") }));
        }
        return;
      }
      const { handler, params } = found;
      try {
        const client: RouteClient = {
          address: clientAddress(serverContext),
          // The adapter's own Response (not the global one) hands the Node stream through as the body.
          streamResponse: (stream, init) => new fetchAPI.Response(stream as unknown as BodyInit, init),
          cutShort: () => (serverContext as { res?: Writable }).res?.destroy(),
        };
        const response = await handler(request, url, params, client);
        if (!head) return endResponse(response);
        // A streamed body is stopped, so its writer ends as for a client that left.
        await response.body?.cancel().catch(() => undefined);
        endResponse(new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers }));
      } catch (error) {
        if (error instanceof RateLimitedError) return endResponse(tooManyRequests(error));
        if (error instanceof AuthenticationError) return endResponse(problem(401, "UNAUTHENTICATED", error.message));
        if (error instanceof ForbiddenError) return endResponse(problem(403, "FORBIDDEN", error.message));
        if (error instanceof z.ZodError) return endResponse(problem(400, "BAD_REQUEST", error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")));
        if (isDatabaseUnavailable(error)) {
          const body = { error: "SERVICE_UNAVAILABLE", message: "The service is briefly unavailable: try again in a moment." };
          return endResponse(json(body, 503, { "retry-after": "1" }));
        }
        logger.error({ err: loggableError(error), method: request.method, path: url.pathname }, "An HTTP route failed");
        return endResponse(problem(500, "INTERNAL_SERVER_ERROR", "Something went wrong on our side: try again in a moment."));
      }
    },
  };
}

const OperatorLogin = z.object({ operator: z.literal(true) }).strict();
/** Digits, the century signs of Swedish and Finnish NINs, dashes and spaces: nothing the database would refuse. */
const UserLogin = z.object({ nin: z.string().regex(/^[0-9A-Za-z+ -]{1,20}$/, "a NIN of digits, letters, '+', '-' and spaces"), method: z.enum(LoginMethod) }).strict();

export function coreRoutes(services: Services): Record<string, RouteHandler> {
  const { db, tokens, encryptionKey, config, limits } = services;
  const routes: Record<string, RouteHandler> = {
    "GET /.well-known/jwks.json": () => json(tokens.jwks, 200, { "cache-control": "public, max-age=300" }),
    "POST /accesstoken/get": (request, _url, _params, client) => {
      const header = (name: string) => request.headers.get(name)?.trim() ?? "";
      return throttledLogin(limits, client.address, async () => {
        const credentials = { clientId: header("client_id"), clientSecret: header("client_secret"), subscriptionKey: header("ocp-apim-subscription-key") };
        if (!credentials.clientId || !credentials.clientSecret || !credentials.subscriptionKey) {
          return problem(400, "BAD_REQUEST", "Send the headers client_id, client_secret and Ocp-Apim-Subscription-Key.");
        }
        const scopeHeader = header("scope");
        const asked = scopeHeader ? scopeHeader.split(/\s+/) : null;
        const unknown = asked?.filter((scope) => !isPartnerScope(scope)) ?? [];
        const requestedScopes = asked?.filter(isPartnerScope) ?? null;
        if (unknown.length > 0) {
          return problem(400, "BAD_REQUEST", `Unknown scope ${unknown.join(", ")}: scopes are ${Object.values(PartnerScope).join(", ")}, separated by spaces.`);
        }
        const issued = await exchangeClientCredentials(db, tokens, encryptionKey, { ...credentials, requestedScopes });
        return json({ access_token: issued.accessToken, token_type: "Bearer", expires_in: String(issued.expiresIn) }, 200, { "cache-control": "no-store" });
      });
    },
  };
  if (config.devLogin) {
    routes["POST /auth/dev/login"] = (request, _url, _params, client) => throttledLogin(limits, client.address, () => devLogin(request));
    const devLogin = async (request: Request): Promise<Response> => {
      const raw: unknown = await request.json().catch(() => ({}));
      if (typeof raw === "object" && raw !== null && "operator" in raw) {
        OperatorLogin.parse(raw);
        const operator = await db.operator.findFirst({ orderBy: { createdAt: "asc" } });
        if (!operator) return problem(404, "NOT_FOUND", "There is no operator account: seed the database first.");
        return json({ accessToken: await tokens.issue({ kind: "operator", operatorId: operator.id }, DEV_SESSION_TTL_SECONDS) });
      }
      const body = UserLogin.parse(raw);
      const user = await db.portalUser.findFirst({ where: { nin: { in: ninSpellings(body.nin) } }, include: { _count: { select: { memberships: true } } } });
      if (!user || user.anonymizedAt) return problem(404, "NOT_FOUND", "No portal user has that NIN. Ask a merchant's Administrator to add you.");
      assertLoginAllowed(user.country, body.method, user._count.memberships);
      return json({ accessToken: await tokens.issue({ kind: "user", userId: user.id, method: body.method }, DEV_SESSION_TTL_SECONDS) });
    };
  }
  return routes;
}

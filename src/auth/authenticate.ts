/**
 * From a request's bearer token (and `Merchant-Serial-Number` header) to its principal and access: one path for
 * /graphql, WebSocket and SSE operations (src/context.ts) and the plain file routes (src/http/downloads.ts).
 */
import type { Services } from "../deps";
import { ForbiddenError } from "./errors";
import { Access } from "./permissions";
import { resolvePrincipal, type Principal } from "./principal";
import { bearerToken, type VerifiedToken } from "./tokens";

export interface Authentication {
  /** The verified token, kept so a change to the caller's own access can reload it; null without a token. */
  token: VerifiedToken | null;
  principal: Principal | null;
  access: Access;
}

/** Verifies the token and resolves its principal (through the principal cache when there is one). */
export async function authenticate(services: Services, input: { authorization?: string | null; msn?: string | null }): Promise<Authentication> {
  const bearer = bearerToken(input.authorization);
  const token = bearer ? await services.tokens.verify(bearer) : null;
  if (!token) return { token: null, principal: null, access: Access.none };
  // The header names a sales unit by its MSN; anything else is refused before it becomes part of a cache key.
  const msn = input.msn?.trim() || null;
  if (msn !== null && !/^\d{5,6}$/.test(msn)) throw new ForbiddenError("Merchant-Serial-Number names a sales unit by its MSN of 5 or 6 digits: check the header.");
  // Only partner and API-key tokens are narrowed (or refused) by it: for the others it is no part of the principal,
  // nor of its cache key, which a header varied per request would otherwise multiply.
  const narrowing = token.kind === "partner" || token.kind === "merchant_key" ? msn : null;
  const load = () => resolvePrincipal(services.db, token, { msn: narrowing });
  const authenticated = services.principals ? await services.principals.get(`${narrowing ?? ""} ${bearer}`, load) : await load();
  return { token, principal: authenticated.principal, access: authenticated.access };
}

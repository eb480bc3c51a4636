/**
 * From a request's bearer token (and `Merchant-Serial-Number` header) to its principal and access: one path for
 * /graphql, WebSocket and SSE operations (src/context.ts) and the plain file routes (src/http/downloads.ts).
 */
import type { Services } from "../deps";
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
  const load = () => resolvePrincipal(services.db, token, { msn: input.msn ?? null });
  const authenticated = services.principals ? await services.principals.get(`${input.msn ?? ""} ${bearer}`, load) : await load();
  return { token, principal: authenticated.principal, access: authenticated.access };
}

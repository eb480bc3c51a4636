/**
 * Who a service acts for, and nothing else of the request: the principal, what it may do, the request id and the
 * actor its audit rows name. Services take `(deps, caller, input)`; the GraphQL resolvers and the HTTP routes build the
 * caller from their own request, and jobs act as `SYSTEM_CALLER`. A service never changes the caller's access: it
 * returns what changed and the resolver refreshes the request's access.
 */
import type { Access } from "../auth/permissions";
import { Access as AccessRule } from "../auth/permissions";
import type { Principal } from "../auth/principal";
import { actorOf, SYSTEM_ACTOR, type Actor } from "./audit";

export interface Caller {
  principal: Principal | null;
  access: Access;
  requestId: string | null;
  /** Who the audit rows of the change name. */
  actor: Actor;
}

/** The caller of a request: its principal, access and request id (a GraphQL context or an HTTP route's). */
export function callerFor(request: { principal: Principal | null; access: Access; requestId: string | null }): Caller {
  return { principal: request.principal, access: request.access, requestId: request.requestId, actor: actorOf(request.principal, request.requestId) };
}

/** Background work (jobs, platform events): no principal, no access. */
export const SYSTEM_CALLER: Caller = { principal: null, access: AccessRule.none, requestId: null, actor: SYSTEM_ACTOR };

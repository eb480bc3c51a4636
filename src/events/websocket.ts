/**
 * Connection rules for graphql-ws, beside the checks every operation goes through: the token in connectionParams
 * is verified at connection_init, the socket is closed when that token expires (one sweep over every connection,
 * not a timer each), one principal and one address hold only so many connections, and one connection runs only so
 * many operations at once.
 *
 * Close codes (4000–4999 are the application's): 4401 bad or expired token (graphql-ws clients do not retry it:
 * reconnect with a fresh token), 4403 valid token refused, 4008 subscriber too slow (clients retry; resume with
 * `after`), 4429 too many connections for this principal or address (graphql-ws clients do not retry it), and
 * RFC 6455's 1013 "try again later" when the database was away during `connection_init` (clients retry it).
 */
import { GraphQLError } from "graphql";
import type { Context as WsContext } from "graphql-ws";
import type { WebSocket } from "ws";
import type { Services } from "../deps";
import { resolvePrincipal } from "../auth/principal";
import { bearerToken } from "../auth/tokens";
import { principalIdentity } from "./connection-limits";

import type { WsExtra } from "./graphql-ws-server";
import { CLOSE_FORBIDDEN, CLOSE_TOO_MANY_CONNECTIONS, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED } from "./close-codes";
import { isDatabaseUnavailable } from "../db/errors";
import { loggableError } from "../logging";

export { CLOSE_FORBIDDEN, CLOSE_SLOW_CONSUMER, CLOSE_TOO_MANY_CONNECTIONS, CLOSE_UNAUTHORIZED } from "./close-codes";

/** How often expired connections are closed; a token outlives its expiry by at most this much. */
const EXPIRY_SWEEP_MS = 500;

/** RFC 6455 allows 123 bytes of reason in a close frame; ws throws beyond that. */
const MAX_CLOSE_REASON_BYTES = 123;

type WsCtx = WsContext<Record<string, unknown> | undefined, WsExtra>;

export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) reason = `${reason.slice(0, -2)}…`;
  return reason;
}

/** A string connection parameter under any of the given spellings (clients differ in case). */
export function connectionParam(params: Readonly<Record<string, unknown>> | undefined, ...names: string[]): string | null {
  for (const name of names) {
    const value = params?.[name];
    if (typeof value === "string") return value;
  }
  return null;
}

export function websocketRules(services: Pick<Services, "db" | "tokens" | "config" | "events" | "logger">) {
  const releases = new WeakMap<WsCtx, () => void>();
  const expiries = new Map<WebSocket, number>();
  let sweep: NodeJS.Timeout | null = null;
  const closeExpired = () => {
    const now = Date.now();
    for (const [socket, expiresAt] of expiries) {
      if (expiresAt > now) continue;
      expiries.delete(socket);
      socket.close(CLOSE_UNAUTHORIZED, "Token expired: reconnect with a fresh token");
    }
    if (expiries.size === 0 && sweep) {
      clearInterval(sweep);
      sweep = null;
    }
  };
  const refuse = (socket: WebSocket, error: unknown): false => {
    // graphql-ws's client gives up for good on 4500; a database failover is a reason to come back.
    if (isDatabaseUnavailable(error)) {
      services.logger.warn({ err: loggableError(error) }, "The database was unavailable to a WebSocket connection_init");
      socket.close(CLOSE_TRY_AGAIN_LATER, "The service is briefly unavailable: reconnect in a moment");
      return false;
    }
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    if (code === "TOO_MANY_CONNECTIONS") {
      socket.close(CLOSE_TOO_MANY_CONNECTIONS, closeReason(`Too many connections: ${(error as GraphQLError).message}`));
      return false;
    }
    if (code !== "UNAUTHENTICATED" && code !== "FORBIDDEN") throw error;
    const message = (error as GraphQLError).message;
    socket.close(code === "FORBIDDEN" ? CLOSE_FORBIDDEN : CLOSE_UNAUTHORIZED, closeReason(`${code === "FORBIDDEN" ? "Forbidden" : "Unauthorized"}: ${message}`));
    return false;
  };
  return {
    /** Without a token the connection is anonymous, like an HTTP request without Authorization; it still counts for its address. */
    onConnect: async (ctx: WsCtx): Promise<boolean> => {
      const socket = ctx.extra.socket;
      const address = ctx.extra.address;
      const token = bearerToken(connectionParam(ctx.connectionParams, "authorization", "Authorization"));
      try {
        if (!token) {
          releases.set(ctx, services.events.connections.acquire(null, address));
          return true;
        }
        const verified = await services.tokens.verify(token);
        const { principal } = await resolvePrincipal(services.db, verified, { msn: connectionParam(ctx.connectionParams, "Merchant-Serial-Number") });
        // graphql-ws runs onClose without waiting for onConnect: a socket that closed meanwhile would hold its place for good.
        if (socket.readyState !== socket.OPEN) return false;
        releases.set(ctx, services.events.connections.acquire(principalIdentity(principal), address));
        expiries.set(socket, verified.expiresAt.getTime());
        sweep ??= setInterval(closeExpired, EXPIRY_SWEEP_MS).unref();
        return true;
      } catch (error) {
        return refuse(socket, error);
      }
    },
    onClose: (ctx: WsCtx): void => {
      expiries.delete(ctx.extra.socket);
      releases.get(ctx)?.();
    },
    /** Refuses an operation beyond the per-connection cap; graphql-ws has already counted it in. */
    admit: (ctx: WsCtx): GraphQLError[] | null => {
      const max = services.config.maxSubscriptionsPerConnection;
      if (Object.keys(ctx.subscriptions).length <= max) return null;
      return [
        new GraphQLError(`This connection already runs ${max} operations: complete one, or open another connection.`, {
          extensions: { code: "TOO_MANY_SUBSCRIPTIONS" },
        }),
      ];
    },
    stop: (): void => {
      if (sweep) clearInterval(sweep);
      sweep = null;
      expiries.clear();
    },
  };
}

/**
 * Connection rules for graphql-ws, beside the checks every operation goes through: the token in connectionParams
 * is verified at connection_init, the socket is closed when that token expires, and one connection runs only so
 * many operations at once.
 *
 * Close codes (4000–4999 are the application's): 4401 bad or expired token (graphql-ws clients do not retry it:
 * reconnect with a fresh token), 4403 valid token refused, 4008 subscriber too slow (clients retry; resume with
 * `after`).
 */
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { Context as WsContext } from "graphql-ws";
import type { WebSocket } from "ws";
import type { Services } from "../deps";
import { resolvePrincipal } from "../auth/principal";
import { bearerToken } from "../auth/tokens";

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_SLOW_CONSUMER = 4008;

/** RFC 6455 allows 123 bytes of reason in a close frame; ws throws beyond that. */
const MAX_CLOSE_REASON_BYTES = 123;
const MAX_TIMER_MS = 2 ** 31 - 1;

export type WsExtra = { socket: WebSocket; request: IncomingMessage };
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

export function websocketRules(services: Pick<Services, "db" | "tokens" | "config">) {
  const expiryTimers = new WeakMap<WsCtx, NodeJS.Timeout>();
  return {
    /** Without a token the connection is anonymous, like an HTTP request without Authorization. */
    onConnect: async (ctx: WsCtx): Promise<boolean> => {
      const token = bearerToken(connectionParam(ctx.connectionParams, "authorization", "Authorization"));
      if (!token) return true;
      const socket = ctx.extra.socket;
      try {
        const verified = await services.tokens.verify(token);
        await resolvePrincipal(services.db, verified, { msn: connectionParam(ctx.connectionParams, "Merchant-Serial-Number") });
        const remaining = verified.expiresAt.getTime() - Date.now();
        if (remaining <= MAX_TIMER_MS) {
          const timer = setTimeout(() => socket.close(CLOSE_UNAUTHORIZED, "Token expired: reconnect with a fresh token"), Math.max(0, remaining));
          timer.unref();
          expiryTimers.set(ctx, timer);
        }
        return true;
      } catch (error) {
        const code = error instanceof GraphQLError ? error.extensions.code : undefined;
        if (code !== "UNAUTHENTICATED" && code !== "FORBIDDEN") throw error;
        const message = (error as GraphQLError).message;
        socket.close(code === "FORBIDDEN" ? CLOSE_FORBIDDEN : CLOSE_UNAUTHORIZED, closeReason(`${code === "FORBIDDEN" ? "Forbidden" : "Unauthorized"}: ${message}`));
        return false;
      }
    },
    onClose: (ctx: WsCtx): void => {
      clearTimeout(expiryTimers.get(ctx));
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
  };
}

/**
 * The live feed over graphql-ws with resumption: every event's `id` is kept, and each (re)connection subscribes
 * with `after` set to the last one received, so the server first replays what happened while the connection was
 * down (a gateway restart, a network cut) and then continues live, without gaps or duplicates.
 *
 * Before the first event there is no id to resume from, so the feed first reads where it stands
 * (`transactionEventsCursor`) and starts after that: a change made while the subscription is set up, or while the
 * connection is down before any event came, is replayed too.
 *
 * The graphql-ws client's own retry would resubscribe with the first variables, so this loop reconnects itself.
 */
import { createClient } from "graphql-ws";
import { TransactionEventsCursorDocument, TransactionEventsDocument, type TransactionEventsSubscription } from "@client/graphql";
import { currentToken, graphqlSource, isTokenRefused, request } from "./api";

export type LiveEvent = NonNullable<TransactionEventsSubscription["transactionEvents"]>;

export type LiveState = "connecting" | "live" | "reconnecting" | "stopped";

export interface LiveStatus {
  state: LiveState;
  /** Successful subscriptions so far: 2 or more after a reconnect. */
  connections: number;
  lastEventId: string | null;
  error: string | null;
}

/** graphql-ws close codes the gateway uses for a token it will not take: retrying with it is pointless. */
export const TOKEN_REFUSED = new Set([4401, 4403]);

const MAX_BACKOFF_MS = 5_000;

export function startLiveFeed(options: {
  salesUnitIds?: string[];
  after?: string | null;
  onEvent: (event: LiveEvent) => void;
  onStatus: (status: LiveStatus) => void;
}): () => void {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const status: LiveStatus = { state: "connecting", connections: 0, lastEventId: options.after ?? null, error: null };
  const report = (change: Partial<LiveStatus>) => {
    Object.assign(status, change);
    options.onStatus({ ...status });
  };
  let stopped = false;
  let dispose: (() => void) | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  /** Tries again after a back-off that doubles with each failure in a row (up to MAX_BACKOFF_MS). */
  const retryLater = (error: string | null) => {
    failures++;
    report({ state: "reconnecting", error });
    retryTimer = setTimeout(connect, Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures));
  };

  const connect = async () => {
    if (stopped) return;
    if (status.lastEventId === null) {
      try {
        const { transactionEventsCursor } = await request(TransactionEventsCursorDocument, {});
        status.lastEventId = transactionEventsCursor;
      } catch (error) {
        if (stopped) return;
        if (isTokenRefused(error)) {
          report({ state: "stopped", error: `${error.message} Log in again.` });
          return;
        }
        retryLater(error instanceof Error ? error.message : "The gateway did not answer; trying again.");
        return;
      }
      if (stopped) return;
    }
    const token = currentToken();
    const client = createClient({
      url,
      lazy: false,
      retryAttempts: 0,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      on: {
        connected: () => {
          failures = 0;
          report({ state: "live", connections: status.connections + 1, error: null });
        },
      },
    });
    const again = (error: unknown) => {
      client.dispose();
      if (stopped) return;
      const code = typeof error === "object" && error !== null && "code" in error ? Number((error as { code: unknown }).code) : null;
      if (code !== null && TOKEN_REFUSED.has(code)) {
        report({ state: "stopped", error: `The gateway refused the token (${code}): log in again.` });
        return;
      }
      // GraphQL errors (FORBIDDEN sales units, a bad cursor) would repeat on every retry.
      if (Array.isArray(error)) {
        report({ state: "stopped", error: describe(error) });
        return;
      }
      retryLater(describe(error));
    };
    // A subscription the gateway refuses (FORBIDDEN, a bad cursor) comes as a result with errors and no data, then
    // `complete`: that is the refusal to stop on, not a dropped connection to resume.
    let refusal: readonly { message: string }[] | null = null;
    const unsubscribe = client.subscribe<TransactionEventsSubscription>(
      {
        query: graphqlSource(TransactionEventsDocument),
        variables: { salesUnitIds: options.salesUnitIds ?? null, after: status.lastEventId },
      },
      {
        next: (result) => {
          const event = result.data?.transactionEvents;
          if (event) {
            report({ lastEventId: event.id });
            options.onEvent(event);
          } else if (result.errors?.length) {
            refusal = result.errors;
            report({ error: result.errors.map((e) => e.message).join("; ") });
          }
        },
        error: again,
        complete: () => again(refusal ? [...refusal] : null),
      },
    );
    dispose = () => {
      unsubscribe();
      client.dispose();
    };
  };

  void connect();
  return () => {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    dispose?.();
    report({ state: "stopped" });
  };
}

function describe(error: unknown): string | null {
  if (error === null || error === undefined) return "The feed ended; reconnecting.";
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message ?? String(e)).join("; ");
  if (typeof error === "object" && "code" in error) return `Connection closed (${String((error as { code: unknown }).code)}); reconnecting.`;
  return error instanceof Error ? error.message : "Connection lost; reconnecting.";
}

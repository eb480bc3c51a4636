/**
 * The one way a GraphQL subscription follows the outbox (docs/events.md): a feed names the event types it carries,
 * its cursor, and a scope (which rows concern the subscriber, and the policy that decides, per batch and with
 * permissions read afresh, what the subscriber may see of them). The resume from `after`, the ordering, the
 * per-batch access check, token expiry and the slow-consumer rule are the feed's (feed.ts) and are the same for every
 * subscription built here. `transactionEvents` and `events` are two uses.
 */
import { GraphQLError } from "graphql";
import type { Access } from "../auth/permissions";
import { resolvePrincipal } from "../auth/principal";
import { AuthenticationError } from "../auth/errors";
import type { VerifiedToken } from "../auth/tokens";
import type { Context } from "../context";
import type { Prisma } from "../generated/prisma/client";
import { recordFromRow, type OutboxRecord } from "./outbox";
import { CLOSE_SLOW_CONSUMER } from "./websocket";
import { directLaneOf } from "./shared-execution";

/**
 * Cursors are the relay's delivery sequence (a positive int8), zero-padded hex so that they also sort as strings.
 * Clients treat them as opaque; the prefix keeps other ids from being mistaken for one.
 */
export interface EventCursor {
  /** Marks the feed's ids (`te`). */
  readonly prefix: string;
  encode(seq: bigint): string;
  /** Throws BAD_USER_INPUT for anything but this feed's own ids. */
  decode(cursor: string): bigint;
}

/** `prefix` marks the feed's ids (`te`); `received` says what the client received them on (`a TransactionEvent`). */
export function eventCursor(prefix: string, received: string): EventCursor {
  const pattern = new RegExp(`^${prefix}_([0-7][0-9a-f]{15})$`);
  return {
    prefix,
    encode: (seq) => `${prefix}_${seq.toString(16).padStart(16, "0")}`,
    decode: (cursor) => {
      const match = pattern.exec(cursor);
      if (!match) throw new GraphQLError(`after: must be the id of ${received} you received.`, { extensions: { code: "BAD_USER_INPUT" } });
      return BigInt(`0x${match[1]}`);
    },
  };
}

/** Which rows concern one subscriber, and what its permissions let it see of them. */
export interface FeedScope {
  /** The merchants whose events can concern the subscription ("*": any); the feed looks only there. */
  merchantIds: readonly string[] | "*";
  /** Beside the feed's types: does the row concern the subscription? Selects what `where` selects. */
  matches(event: OutboxRecord): boolean;
  where: Prisma.OutboxEventWhereInput;
  /** Throws (ending the subscription) when the fresh access no longer covers what was subscribed to. */
  recheck(access: Access): void;
  /** May the subscriber, with its fresh access, see this event? The entity's policy decides. */
  admits(access: Access, event: OutboxRecord): boolean;
  /**
   * Equal for two scopes of one principal that match and admit the same events (what was asked for, and whatever of the
   * access at subscription time the scope keeps). Omitted: the scope is never shared.
   */
  key?: string;
}

export interface FeedSubscriptionSpec {
  /** The stored types (`<aggregate>.<EVENT>`) this subscription may carry. */
  types: readonly string[];
  cursor: EventCursor;
  after: string | null | undefined;
  /** Asked after the cursor is read, so a bad cursor is reported before any permission question. */
  scope(): Promise<FeedScope>;
  /** Called with each admitted batch (before it is sent): load what the event's fields will read. */
  onBatch?(access: Access, events: OutboxRecord[]): void;
  /**
   * True when the returned stream is the subscription field's own and its resolver returns the event as it is: the
   * transport may then send each event's (shared) result itself (src/events/shared-execution.ts, `directLaneOf`).
   * Not for a field that maps the events into something else.
   */
  rootStream?: boolean;
}

/** Who the token speaks for, without its expiry: tokens of one principal (and sales unit choice) share permission reads. */
function principalKey(token: VerifiedToken, msn: string | null): string {
  const { expiresAt: _expiry, ...subject } = token;
  return JSON.stringify([subject, msn]);
}

/**
 * The order in which permission reads began, per Access they answered: of two reads under way at once (a replay page's
 * and a live batch's), the one begun later is the newer, whichever ends first.
 */
let accessReads = 0;
const accessReadOrder = new WeakMap<Access, number>();

/** The subscriber's events: a replay of what followed `after`, then live ones, each batch admitted by the scope. */
export async function subscribeToFeed(ctx: Context, feed: FeedSubscriptionSpec): Promise<AsyncIterableIterator<OutboxRecord>> {
  ctx.holdStream?.();
  // Taken now: the lane is on offer only while the field's stream is being created.
  const lane = feed.rootStream ? directLaneOf(ctx) : undefined;
  const after = feed.after == null ? null : feed.cursor.decode(feed.after);
  const scope = await feed.scope();
  const token = ctx.token;
  if (!token || !ctx.principal) throw new AuthenticationError();
  const { db, msn } = ctx;
  const types = new Set(feed.types);
  const principal = principalKey(token, msn);
  let newestAccess = 0;
  return ctx.services.events.feed.subscribe<Access>({
    after,
    // Over WebSocket the connection closes with 4401 at expiry (src/events/websocket.ts); ending the subscription
    // first would let a lazy client close the socket normally and miss why.
    expiresAt: ctx.expiryClosesConnection ? null : ctx.principal.expiresAt,
    merchantIds: scope.merchantIds,
    // Methods, not arrow functions: this object lives as long as the subscription, and the build (esbuild's keepNames)
    // gives every named arrow function a property table of its own.
    matches(event) {
      return types.has(event.type) && scope.matches(event);
    },
    async replay(from, upTo, limit) {
      const rows = await db.outboxEvent.findMany({
        where: { AND: [scope.where, { type: { in: [...types] }, deliverySeq: { gt: from, lte: upTo } }] },
        orderBy: { deliverySeq: "asc" },
        take: limit,
      });
      return rows.map(recordFromRow);
    },
    principalKey: principal,
    // Dashboards of one principal that asked the same: admitted together, one result per event for them all.
    ...(scope.key !== undefined && lane?.sharingKey != null
      ? { groupKey: JSON.stringify([principal, feed.cursor.prefix, feed.types, scope.key, lane.sharingKey]) }
      : {}),
    async loadAccess() {
      const order = ++accessReads;
      const { access } = await resolvePrincipal(db, token, { msn });
      accessReadOrder.set(access, Math.max(order, accessReadOrder.get(access) ?? 0));
      return access;
    },
    admit(access, events) {
      scope.recheck(access);
      // Field rules (payer details) read the context: let them follow the change too, but never back to permissions
      // read before the ones it holds (a replay page's read that began before a revocation and ended after it).
      const order = accessReadOrder.get(access) ?? 0;
      if (order >= newestAccess) {
        newestAccess = order;
        ctx.access = access;
      }
      const visible = events.filter((event) => scope.admits(access, event));
      feed.onBatch?.(access, visible);
      return visible;
    },
    onOverflow() {
      if (!ctx.closeConnection) return false;
      ctx.closeConnection(CLOSE_SLOW_CONSUMER, `Slow consumer: more than ${ctx.services.config.subscriptionQueueLimit} events waiting`);
      return true;
    },
    ...(ctx.writable ? { writable: ctx.writable } : {}),
    ...(lane ? { lane } : {}),
  });
}

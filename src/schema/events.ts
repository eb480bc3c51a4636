/**
 * `events`: every event type of the outbox (docs/events.md), filtered by type, with the resume, ordering and
 * per-batch access rules of `transactionEvents` (both are built with src/events/feed-subscription.ts). What a
 * subscriber receives is decided per event by `mayReceive` (src/events/catalog.ts) with its permissions read afresh
 * before each batch, the same check webhook deliveries make. The `events` query lists the same events, newest first, to
 * catch up or audit without holding a connection open (filtered by `receivableWhere`, mayReceive's row filter).
 */
import { encodeGlobalID, resolveCursorConnection } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { builder } from "./builder";
import type { Context } from "../context";
import { ForbiddenError } from "../auth/errors";
import { EVENT_TYPES, eventTypeSpec, mayReceive, merchantsReceiving, NODE_AGGREGATE_TYPES, receivableWhere } from "../events/catalog";
import { eventCursor, subscribeToFeed, type FeedScope } from "../events/feed-subscription";
import { deliveredThrough, recordFromRow, type OutboxRecord } from "../events/outbox";

const CURSOR = eventCursor("ev", "an Event");

export const EventRef = builder.objectRef<OutboxRecord>("Event").implement({
  description: "Something that happened to an object of the portal, from the durable outbox. docs/events.md lists every type and its data.",
  fields: (t) => ({
    id: t.id({
      description: "Opaque cursor, increasing in delivery order: pass it as `after` to resume after this event.",
      resolve: (event) => CURSOR.encode(event.seq),
    }),
    type: t.string({ description: "`<aggregate>.<EVENT>`, e.g. `salesUnit.DEACTIVATED` or `transaction.CAPTURED`.", resolve: (event) => event.type }),
    objectType: t.string({ description: "The kind of object that changed, e.g. `SalesUnit`.", resolve: (event) => event.aggregateType }),
    objectId: t.id({
      nullable: true,
      description: "The global id of the object that changed, for objects `node(id:)` resolves; null for the others (API keys and Login set-up: see `salesUnitId`).",
      resolve: (event) => (NODE_AGGREGATE_TYPES.has(event.aggregateType) ? encodeGlobalID(event.aggregateType, event.aggregateId) : null),
    }),
    merchantId: t.id({ nullable: true, description: "The merchant's global id; null for events of no merchant yet (agreements, partner keys).", resolve: (event) => event.merchantId && encodeGlobalID("Merchant", event.merchantId) }),
    salesUnitId: t.id({ nullable: true, description: "The sales unit's global id, for events of a sales unit's objects.", resolve: (event) => event.salesUnitId && encodeGlobalID("SalesUnit", event.salesUnitId) }),
    occurredAt: t.field({ type: "DateTime", description: "When the change was written, in its database transaction (to the millisecond).", resolve: (event) => event.createdAt }),
    data: t.field({ type: "JSON", description: "The event's payload, as documented per type.", resolve: (event) => event.payload as object }),
  }),
});

function scopeOf(ctx: Context, types: readonly string[]): FeedScope {
  const initial = merchantsReceiving(ctx.access, types);
  if (initial !== "*" && initial.length === 0) throw new ForbiddenError("You may not receive events of any of these types.");
  const merchants = initial === "*" ? null : new Set(initial);
  return {
    merchantIds: initial,
    matches: (event) => merchants === null || (event.merchantId !== null && merchants.has(event.merchantId)),
    where: merchants === null ? {} : { merchantId: { in: [...merchants] } },
    recheck: (access) => {
      const now = merchantsReceiving(access, types);
      if (now !== "*" && now.length === 0) throw new ForbiddenError("You may no longer receive events of any of these types, so this subscription has ended.");
    },
    admits: mayReceive,
    key: merchants === null ? "merchants:*" : `merchants:${[...merchants].sort().join(",")}`,
  };
}

function typesOf(requested: readonly string[] | null | undefined): readonly string[] {
  if (!requested) return EVENT_TYPES.map((entry) => entry.type);
  const unknown = requested.filter((type) => !eventTypeSpec(type));
  if (requested.length === 0 || unknown.length > 0) {
    throw new GraphQLError(`types: name event types of docs/events.md${unknown.length > 0 ? `; unknown: ${unknown.join(", ")}` : ""}, or leave it out for every type.`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return [...new Set(requested)];
}

builder.subscriptionField("events", (t) =>
  t.field({
    type: EventRef,
    description:
      "Events of the given types (default: every type) that you may receive, in delivery order (so in order per object), each once. " +
      "With `after`, first replays what happened since that event, then continues live without a gap. Your permissions are read again before " +
      "each batch: an event of an object you may no longer see is not sent.",
    authScopes: { authenticated: true },
    args: {
      types: t.arg.stringList({ required: false, description: "Event types, e.g. `[\"salesUnit.DEACTIVATED\", \"qrCode.CREATED\"]`." }),
      after: t.arg.id({ required: false, description: "The id of the last Event you received." }),
    },
    subscribe: (_root, args, ctx) => {
      const types = typesOf(args.types);
      return subscribeToFeed(ctx, { types, cursor: CURSOR, after: args.after == null ? null : String(args.after), scope: async () => scopeOf(ctx, types), rootStream: true });
    },
    resolve: (event) => event,
  }),
);

builder.queryField("eventsCursor", (t) =>
  t.id({
    description:
      "Where the `events` feed stands now: subscribe with it as `after` to receive every event from this moment on, including those " +
      "made while the subscription is being set up or the connection is down before the first event arrives.",
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => CURSOR.encode(await deliveredThrough(ctx.db)),
  }),
);

builder.queryField("events", (t) =>
  t.connection({
    type: EventRef,
    description:
      "Events of the given types (default: every type) that you may receive now, newest first. Their ids are the cursors of the `events` subscription: " +
      "subscribe with `after:` the newest one listed to continue live.",
    authScopes: { authenticated: true },
    args: { types: t.arg.stringList({ required: false, description: "Event types, e.g. `[\"salesUnit.DEACTIVATED\"]`." }) },
    resolve: (_root, args, ctx) => {
      const where = receivableWhere(ctx.access, typesOf(args.types));
      return resolveCursorConnection<Promise<OutboxRecord[]>>({ args, toCursor: (event) => CURSOR.encode(event.seq), maxSize: 100 }, async ({ before, after, limit, inverted }): Promise<OutboxRecord[]> => {
        const seq = { not: null, ...(after ? { lt: CURSOR.decode(after) } : {}), ...(before ? { gt: CURSOR.decode(before) } : {}) };
        const rows = await ctx.db.outboxEvent.findMany({ where: { AND: [where, { deliverySeq: seq }] }, orderBy: { deliverySeq: inverted ? "asc" : "desc" }, take: limit });
        return rows.map(recordFromRow);
      });
    },
  }, {
    description:
      "One page of the events history, newest first. Named after its field rather than its node, unlike every other list's " +
      "`<Node>Connection`, because it differs from them: it has no `totalCount` (the history only grows and is read to resume " +
      "a feed; counting it would read the whole outbox).",
  }),
);

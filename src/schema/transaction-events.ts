/**
 * The live transaction feed (docs/events.md): `transactionEvents` over graphql-ws on /graphql and over SSE on
 * /graphql/stream, built with the feed-subscription factory (src/events/feed-subscription.ts). Who may see which sales unit is checked when subscribing and again, against memberships read
 * afresh, before each batch of events goes out, so a revoked membership ends the subscription.
 *
 * `transaction` is the payment as it stood right after the event: status and amounts come from the event's payload
 * (written in the same database transaction as the change), the descriptive fields and the history from the row
 * as it is now. A replayed event thus shows the amounts of its own moment, not today's.
 */
import { GraphQLError } from "graphql";
import { builder } from "./builder";
import { SalesUnit } from "./sales-unit";
import { Transaction } from "./transaction";
import type { Context } from "../context";
import type { Access } from "../auth/permissions";
import { ForbiddenError } from "../auth/errors";
import { canViewTransactionsOf, merchantsWithViewableTransactions, viewableTransactions } from "../auth/policies/transaction";
import { toPrismaWhere } from "../db/conditions";
import type { Prisma, SalesUnit as SalesUnitRow, Transaction as TransactionRow } from "../generated/prisma/client";
import type { Db } from "../db/client";
import { eventCursor, subscribeToFeed, type FeedScope } from "../events/feed-subscription";
import { deliveredThrough, type OutboxRecord } from "../events/outbox";
import { TRANSACTION_EVENT_PREFIX, type TransactionEventName, type TransactionEventPayload } from "../events/transaction-events";

const EVENT_TYPES = ["REQUESTED", "RESERVED", "REJECTED", "EXPIRED", "CAPTURED", "CANCELLED", "REFUNDED"] as const satisfies readonly TransactionEventName[];
const STORED_TYPES = EVENT_TYPES.map((type) => `${TRANSACTION_EVENT_PREFIX}${type}`);

const TransactionEventTypeEnum = builder.enumType("TransactionEventType", {
  description: "What happened to the payment. CANCELLED after a partial capture leaves the status CAPTURED.",
  values: {
    REQUESTED: { description: "A payment was requested from the customer." },
    RESERVED: { description: "The customer approved and the amount was reserved." },
    REJECTED: { description: "The customer declined the request." },
    EXPIRED: { description: "The customer did not answer the request in time." },
    CAPTURED: { description: "An amount was captured (also a direct capture at approval)." },
    CANCELLED: { description: "The request was withdrawn or the rest of the reservation released." },
    REFUNDED: { description: "An amount was refunded to the customer." },
  } as const satisfies Record<(typeof EVENT_TYPES)[number], { description: string }>,
});

const CURSOR = eventCursor("te", "a TransactionEvent");

export const encodeEventCursor = CURSOR.encode;
export const decodeEventCursor = CURSOR.decode;

const payloadOf = (event: OutboxRecord) => event.payload as TransactionEventPayload;

/** A payment and its sales unit as they are now, loaded once per event for every subscriber it goes to. */
interface EventRows {
  transaction: TransactionRow | null;
  salesUnit: SalesUnitRow | null;
}

const loadedRows = new WeakMap<OutboxRecord, Promise<EventRows>>();

/**
 * Loads the rows of the events not loaded yet, in two statements for the lot. The feed hands the same event
 * objects to every subscriber, so a batch costs two statements however many subscribers it reaches.
 */
function loadRows(db: Db, events: readonly OutboxRecord[]): void {
  const missing = events.filter((event) => !loadedRows.has(event));
  if (missing.length === 0) return;
  const transactions = db.transaction
    .findMany({ where: { id: { in: [...new Set(missing.map((event) => event.aggregateId))] } } })
    .then((rows) => new Map(rows.map((row) => [row.id, row])));
  const salesUnits = db.salesUnit
    .findMany({ where: { id: { in: [...new Set(missing.flatMap((event) => (event.salesUnitId ? [event.salesUnitId] : [])))] } } })
    .then((rows) => new Map(rows.map((row) => [row.id, row])));
  const both = Promise.all([transactions, salesUnits]);
  for (const event of missing) {
    loadedRows.set(
      event,
      both.then(([byId, unitsById]) => ({ transaction: byId.get(event.aggregateId) ?? null, salesUnit: unitsById.get(event.salesUnitId ?? "") ?? null })),
    );
  }
  // Each resolver that reads an event reports a failure; nobody may be left with an unhandled rejection.
  both.catch(() => undefined);
}

function rowsOf(db: Db, event: OutboxRecord): Promise<EventRows> {
  loadRows(db, [event]);
  return loadedRows.get(event)!;
}

export const TransactionEvent = builder.objectRef<OutboxRecord>("TransactionEvent").implement({
  description: "A change to a payment, from the durable outbox.",
  fields: (t) => ({
    id: t.id({
      description: "Opaque cursor, increasing in delivery order: pass it as `after` to resume after this event.",
      resolve: (event) => encodeEventCursor(event.seq),
    }),
    type: t.field({
      type: TransactionEventTypeEnum,
      description: "What happened.",
      resolve: (event) => event.type.slice(TRANSACTION_EVENT_PREFIX.length) as (typeof EVENT_TYPES)[number],
    }),
    occurredAt: t.field({ type: "DateTime", description: "When it happened.", resolve: (event) => new Date(payloadOf(event).occurredAt) }),
    operationAmount: t.int({
      description: "Money this change moved (requested, reserved, captured, released or refunded); 0 for a decline, an expiry or a withdrawn request.",
      resolve: (event) => payloadOf(event).operationAmount,
    }),
    transaction: t.field({
      type: Transaction,
      nullable: false,
      description: "The payment right after this event: status and amounts as of the event, other fields as they are now.",
      resolve: async (event, _args, ctx) => {
        const { transaction: row } = await rowsOf(ctx.db, event);
        if (!row) throw new Error(`Transaction ${event.aggregateId} of outbox event ${event.id} does not exist`);
        const after = payloadOf(event);
        return {
          ...row,
          status: after.status,
          authorizedAmount: after.authorizedAmount,
          capturedAmount: after.capturedAmount,
          refundedAmount: after.refundedAmount,
          cancelledAmount: after.cancelledAmount,
          version: after.version,
          updatedAt: new Date(after.occurredAt),
        };
      },
    }),
    salesUnit: t.field({
      type: SalesUnit,
      nullable: false,
      description: "The sales unit of the payment.",
      resolve: async (event, _args, ctx) => {
        const { salesUnit } = await rowsOf(ctx.db, event);
        if (!salesUnit) throw new Error(`Sales unit ${event.salesUnitId} of outbox event ${event.id} does not exist`);
        return salesUnit;
      },
    }),
  }),
});

/**
 * Whether the access still lets its holder view any transactions: asked for every subscriber of a batch, with the one
 * access object its principal's subscriptions share, so answered once per access object.
 */
const viewsAny = new WeakMap<Access, boolean>();
function viewsAnyTransactions(access: Access): boolean {
  let answer = viewsAny.get(access);
  if (answer === undefined) {
    answer = merchantsWithViewableTransactions(access).length > 0;
    viewsAny.set(access, answer);
  }
  return answer;
}

const unitOf = (event: OutboxRecord) => (event.salesUnitId && event.merchantId ? { id: event.salesUnitId, merchantId: event.merchantId } : null);
/**
 * The policy's answer per access object and sales unit: the feed asks it for every subscriber of a batch with the one
 * access object their principal's fresh read made, and a subscription asks it of its own access for every event.
 */
const viewable = new WeakMap<Access, Map<string, boolean>>();
const mayView = (access: Access, event: OutboxRecord) => {
  const unit = unitOf(event);
  if (unit === null) return false;
  let units = viewable.get(access);
  if (!units) {
    units = new Map();
    viewable.set(access, units);
  }
  let answer = units.get(unit.id);
  if (answer === undefined) {
    answer = canViewTransactionsOf(access, unit);
    units.set(unit.id, answer);
  }
  return answer;
};

async function scopeOf(ctx: Context, salesUnitIds: readonly string[] | null | undefined): Promise<FeedScope> {
  if (salesUnitIds) {
    if (salesUnitIds.length === 0) {
      throw new GraphQLError("salesUnitIds: name at least one sales unit, or leave it out to follow every one you may view.", {
        extensions: { code: "BAD_USER_INPUT" },
      });
    }
    const ids = [...new Set(salesUnitIds)];
    const owners = await Promise.all(ids.map((id) => ctx.loaders.salesUnitOwner.load(id)));
    const units = owners.filter((owner) => owner !== null);
    // The same answer whether a unit is missing or another merchant's.
    if (units.length < ids.length || !units.every((unit) => canViewTransactionsOf(ctx.access, unit))) {
      throw new ForbiddenError("You may not view the transactions of every sales unit you named.");
    }
    const wanted = new Set(ids);
    // Methods, not arrow functions, in what a subscription keeps (see src/events/feed-subscription.ts).
    return {
      merchantIds: [...new Set(units.map((unit) => unit.merchantId))],
      matches(event) {
        return event.salesUnitId !== null && wanted.has(event.salesUnitId);
      },
      where: { salesUnitId: { in: ids } },
      recheck(access) {
        const lost = units.find((unit) => !canViewTransactionsOf(access, unit));
        if (lost) throw new ForbiddenError("Your access to the transactions of a sales unit you follow was removed, so this subscription has ended.");
      },
      admits: mayView,
      key: `units:${[...wanted].sort().join(",")}`,
    };
  }
  const initial = ctx.access;
  const merchantIds = merchantsWithViewableTransactions(initial);
  if (merchantIds.length === 0) throw new ForbiddenError("You may not view the transactions of any sales unit.");
  // The units this subscription follows are fixed when it starts; units granted later need a new subscription.
  return {
    merchantIds,
    matches(event) {
      return mayView(initial, event);
    },
    where: toPrismaWhere(viewableTransactions(initial)) as Prisma.OutboxEventWhereInput,
    recheck(access) {
      if (!viewsAnyTransactions(access)) {
        throw new ForbiddenError("You may no longer view the transactions of any sales unit, so this subscription has ended.");
      }
    },
    admits: mayView,
    key: `viewable:${initial.key}`,
  };
}

/** The live (and replayed) transaction events a caller may see; also the change signal of the live aggregates. */
export function subscribeToTransactionEvents(ctx: Context, args: { salesUnitIds?: readonly string[] | null; after?: string | null }, rootStream = false) {
  return subscribeToFeed(ctx, {
    rootStream,
    types: STORED_TYPES,
    cursor: CURSOR,
    after: args.after,
    scope() {
      return scopeOf(ctx, args.salesUnitIds);
    },
    onBatch(_access, visible) {
      loadRows(ctx.db, visible);
    },
  });
}

builder.queryField("transactionEventsCursor", (t) =>
  t.id({
    description:
      "Where the `transactionEvents` feed stands now: subscribe with it as `after` to receive every change from this moment on, " +
      "including those made while the subscription is being set up or the connection is down before the first event arrives. " +
      "Read it before loading what the feed will keep up to date.",
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => CURSOR.encode(await deliveredThrough(ctx.db)),
  }),
);

builder.subscriptionField("transactionEvents", (t) =>
  t.field({
    type: TransactionEvent,
    description:
      "Changes to payments of the sales units you may view, in delivery order (so in order per payment), each once. " +
      "With `after`, first replays what happened since that event, then continues live without a gap.",
    authScopes: { authenticated: true },
    args: {
      salesUnitIds: t.arg.globalIDList({ for: SalesUnit, required: false, description: "Default: every sales unit whose transactions you may view now." }),
      after: t.arg.id({ required: false, description: "The id of the last TransactionEvent you received." }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeToTransactionEvents(ctx, { salesUnitIds: args.salesUnitIds?.map((id) => id.id), after: args.after == null ? null : String(args.after) }, true),
    resolve: (event) => event,
  }),
);

/**
 * Dashboard figures over a transaction filter (src/reports/transaction-aggregates.ts): the `transactionAggregates`
 * query, one SQL statement per request, and the `transactionAggregates` subscription, which answers the same figures
 * at once and again after every batch of transaction events it may see (one statement per batch).
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { Repeater } from "graphql-yoga";
import { builder } from "./builder";
import { CurrencyEnum, TransactionStatusEnum } from "./enums";
import { Money, moneyOf } from "./money";
import { SalesUnit } from "./sales-unit";
import { decodedTransactionFilter, TransactionFilter } from "./transaction";
import { subscribeToTransactionEvents } from "./transaction-events";
import type { Context } from "../context";
import { transactionListCondition, type TransactionListFilter } from "../auth/policies/transaction";
import {
  type AGGREGATE_INTERVALS,
  aggregateTransactions,
  type AggregateInterval,
  type Figures,
  type TransactionAggregates as Aggregates,
} from "../reports/transaction-aggregates";
import type { TransactionStatus } from "../generated/prisma/enums";

const AggregateIntervalEnum = builder.enumType("AggregateInterval", {
  description:
    "How `byPeriod` groups payments: calendar days, ISO weeks (Monday–Sunday) or calendar months, in the time zone of the payment's " +
    "market (NOK: Europe/Oslo, DKK: Europe/Copenhagen, EUR: Europe/Helsinki).",
  values: {
    DAY: { description: "Calendar days." },
    WEEK: { description: "ISO weeks, Monday to Sunday." },
    MONTH: { description: "Calendar months." },
  } as const satisfies Record<(typeof AGGREGATE_INTERVALS)[number], { description: string }>,
});

type FigureRow = Figures & { status?: TransactionStatus; periodStart?: string; salesUnitId?: string };

const TransactionFigures = builder.objectRef<FigureRow>("TransactionFigures").implement({
  description: "Counts and sums of the payments in one group. Sums are in the group's currency; the key fields of other groupings are null.",
  fields: (t) => ({
    currency: t.field({ type: CurrencyEnum, description: "The currency of the group's sums.", resolve: (f) => f.currency }),
    status: t.field({ type: TransactionStatusEnum, nullable: true, description: "The status (in `byStatus`).", resolve: (f) => f.status ?? null }),
    periodStart: t.field({
      type: "Date",
      nullable: true,
      description: "First day of the period in the market's time zone (in `byPeriod`).",
      resolve: (f) => f.periodStart ?? null,
    }),
    salesUnitId: t.id({ nullable: true, description: "Global id of the sales unit (in `bySalesUnit`).", resolve: (f) => (f.salesUnitId ? encodeGlobalID("SalesUnit", f.salesUnitId) : null) }),
    salesUnit: t.field({
      type: SalesUnit,
      nullable: true,
      description: "The sales unit (in `bySalesUnit`).",
      resolve: (f, _args, ctx) => (f.salesUnitId ? ctx.db.salesUnit.findUnique({ where: { id: f.salesUnitId } }) : null),
    }),
    count: t.int({ description: "How many payments.", resolve: (f) => f.count }),
    requested: t.field({ type: Money, description: "Sum of the requested amounts.", resolve: (f) => moneyOf(f.requested, f.currency) }),
    captured: t.field({ type: Money, description: "Sum of what was captured.", resolve: (f) => moneyOf(f.captured, f.currency) }),
    refunded: t.field({ type: Money, description: "Sum of what was refunded.", resolve: (f) => moneyOf(f.refunded, f.currency) }),
    cancelled: t.field({ type: Money, description: "Sum of what was cancelled (released without capture).", resolve: (f) => moneyOf(f.cancelled, f.currency) }),
  }),
});

const TransactionAggregates = builder.objectRef<Aggregates>("TransactionAggregates").implement({
  description: "Figures over the payments a filter selects (the same filter and access rules as `transactions`), per currency.",
  fields: (t) => ({
    interval: t.field({ type: AggregateIntervalEnum, description: "How `byPeriod` is grouped.", resolve: (a) => a.interval }),
    totals: t.field({ type: [TransactionFigures], description: "One entry per currency.", resolve: (a) => a.totals }),
    byStatus: t.field({ type: [TransactionFigures], description: "Per status and currency.", resolve: (a) => a.byStatus }),
    byPeriod: t.field({ type: [TransactionFigures], description: "Per period (see `interval`) and currency, oldest first; periods without payments are left out.", resolve: (a) => a.byPeriod }),
    bySalesUnit: t.field({ type: [TransactionFigures], description: "Per sales unit and currency.", resolve: (a) => a.bySalesUnit }),
  }),
});

/** The aggregates of `filter` as `ctx.access` (read afresh per batch in the subscription) lets the caller see them. */
export function aggregatesFor(ctx: Pick<Context, "db" | "access">, filter: TransactionListFilter | null, interval: AggregateInterval): Promise<Aggregates> {
  return aggregateTransactions((text, values) => ctx.db.$queryRawUnsafe(text, ...values), transactionListCondition(filter, ctx.access), interval);
}

/**
 * Figures now, then again after each batch of events: the event stream (with its per-batch access check, which also
 * updates `ctx.access`) only says "something changed"; events arriving while figures are being computed are folded
 * into the next computation, so a burst costs a handful of statements, and the last figures follow the last event.
 */
async function liveAggregates(ctx: Context, filter: TransactionListFilter | null, interval: AggregateInterval): Promise<AsyncIterable<Aggregates>> {
  const events = await subscribeToTransactionEvents(ctx, { salesUnitIds: filter?.salesUnitIds ?? null, after: null });
  return new Repeater<Aggregates>(async (push, stop) => {
    let dirty = true;
    let ended = false;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    void stop.then(() => {
      ended = true;
      void events.return?.();
      notify();
    });
    void (async () => {
      try {
        for await (const _event of events) {
          dirty = true;
          notify();
        }
        stop();
      } catch (error) {
        stop(error instanceof Error ? error : new Error(String(error)));
      }
    })();
    try {
      while (!ended) {
        if (!dirty) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        dirty = false;
        const figures = await aggregatesFor(ctx, filter, interval);
        if (!ended) await push(figures);
      }
    } catch (error) {
      stop(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

builder.queryFields((t) => ({
  transactionAggregates: t.field({
    type: TransactionAggregates,
    description:
      "Dashboard figures: counts and sums of the payments the filter selects (what `transactions` would list), in total, by status, by period and by sales unit. " +
      "Answered by one SQL statement.",
    authScopes: { authenticated: true },
    args: {
      filter: t.arg({ type: TransactionFilter, required: false, description: "Which payments; all the caller may see when left out." }),
      interval: t.arg({ type: AggregateIntervalEnum, required: false, defaultValue: "DAY", description: "How `byPeriod` groups payments; DAY when left out." }),
    },
    resolve: (_root, args, ctx) => aggregatesFor(ctx, decodedTransactionFilter(args.filter), args.interval ?? "DAY"),
  }),
}));

builder.subscriptionField("transactionAggregates", (t) =>
  t.field({
    type: TransactionAggregates,
    description:
      "The `transactionAggregates` figures, live: answered at once and again after each batch of payment changes you may see, so the last figures " +
      "always include the last event received. Access is checked on subscribing and before each batch, as for `transactionEvents`.",
    authScopes: { authenticated: true },
    args: {
      filter: t.arg({ type: TransactionFilter, required: false, description: "Which payments; all the caller may see when left out." }),
      interval: t.arg({ type: AggregateIntervalEnum, required: false, defaultValue: "DAY", description: "How `byPeriod` groups payments; DAY when left out." }),
    },
    subscribe: (_root, args, ctx) => liveAggregates(ctx, decodedTransactionFilter(args.filter), args.interval ?? "DAY"),
    resolve: (figures) => figures,
  }),
);

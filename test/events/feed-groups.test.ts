/**
 * The feed's hand-over of a batch to one group, when the group changes while the batch is being offered. Offers to
 * subscribers still replaying are made in slices, a turn of the event loop apart; within such a turn a member on the
 * direct lane may end and another may catch up. Each remaining member must still get the batch, once.
 *
 * The feed runs as in production (its serial chain, slices, rounds of writes) on an in-process bus; the outbox pool
 * and the subscriptions are stand-ins, since what is tested is the feed's own bookkeeping, not SQL or GraphQL.
 */
import type pg from "pg";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LiveFeed, type FeedSubscription } from "../../src/events/feed";
import type { OutboxRecord } from "../../src/events/outbox";
import { createInProcessBus } from "../../src/events/pubsub";

const HEAD = 5n;
const MERCHANT = "00000000-0000-4000-8000-000000000001";

/** Answers the feed's two outbox reads: the highest sequence (HEAD), and nothing to catch up on. */
const pool = {
  query: async (text: string) => ({ rows: text.includes("MAX(") ? [{ seq: String(HEAD) }] : [] }),
} as unknown as pg.Pool;

function record(seq: bigint): OutboxRecord {
  return { seq, id: seq, type: "transaction.CAPTURED", aggregateType: "Transaction", aggregateId: `t${seq}`, merchantId: MERCHANT, salesUnitId: null, payload: {}, createdAt: new Date() };
}

interface Member {
  /** Every result the member's lane was asked to send, in order. */
  sent: unknown[];
  /** How many results each call of its lane's `send` carried (one call is one write to the socket). */
  runs: number[];
  iterator: AsyncIterableIterator<OutboxRecord>;
  /** Lets a member that is replaying finish its replay (with no events). */
  finishReplay: () => void;
}

function member(feed: LiveFeed, replaying: boolean, merchantIds: readonly string[] = [MERCHANT]): Member {
  let finishReplay: () => void = () => undefined;
  const sent: unknown[] = [];
  const runs: number[] = [];
  const subscription: FeedSubscription<string> = {
    // Replaying members start below the head; their replay answers only when the test says so.
    after: replaying ? 0n : null,
    merchantIds,
    matches: () => true,
    replay: () =>
      new Promise<OutboxRecord[]>((resolve) => {
        finishReplay = () => resolve([]);
      }),
    principalKey: "principal",
    groupKey: "the same dashboard",
    loadAccess: async () => "access",
    admit: (_access, records) => records,
    expiresAt: null,
    onOverflow: () => false,
    lane: {
      resultOf: (event) => `result of ${(event as OutboxRecord).seq}`,
      send: (results) => {
        sent.push(...results);
        runs.push(results.length);
        return true;
      },
    },
  };
  const iterator = feed.subscribe(subscription);
  // A Repeater starts on its first pull; this one only ever ends.
  void iterator.next();
  return { sent, runs, iterator, finishReplay: () => finishReplay() };
}

const OTHER_MERCHANT = "00000000-0000-4000-8000-000000000002";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("a group changing while a batch is offered", () => {
  it("still writes the batch to the group when the member chosen to stand for it ends, and once to one that caught up", async () => {
    const bus = createInProcessBus(pino({ level: "silent" }));
    const feed = new LiveFeed({ pool, bus, logger: pino({ level: "silent" }), pollIntervalMs: 60_000, queueLimit: 1000 });
    await feed.start();
    const [first, second] = [member(feed, false), member(feed, false)];
    // 199 members still replaying, then the one that catches up: the offers' slice ends (a turn) just before it.
    const replaying = Array.from({ length: 199 }, () => member(feed, true));
    const catchingUp = member(feed, true);
    for (let i = 0; i < 5; i++) await turn();
    expect(feed.groupCount).toBe(1);

    await bus.publish([record(HEAD + 1n)]);
    // Runs in the turn the offers wait for: the first live member goes, the last replaying one catches up.
    setImmediate(() => {
      void first.iterator.return?.();
      catchingUp.finishReplay();
    });
    for (let i = 0; i < 10; i++) await turn();

    expect(first.sent).toEqual([]);
    expect(second.sent).toEqual([`result of ${HEAD + 1n}`]);
    expect(catchingUp.sent).toEqual([`result of ${HEAD + 1n}`]);
    // The ones still replaying hold the batch in their queues, for after their replay.
    for (const other of replaying) expect(other.sent).toEqual([]);
    feed.stop();
  });

  it("forgets a group whose members named other merchants once they have all gone, and serves the next one", async () => {
    const bus = createInProcessBus(pino({ level: "silent" }));
    const feed = new LiveFeed({ pool, bus, logger: pino({ level: "silent" }), pollIntervalMs: 60_000, queueLimit: 1000 });
    await feed.start();
    // One group (one key) whose members were told of different merchants, as when a sales unit changed hands between
    // two subscriptions: the group is indexed under its first member's.
    const members = [member(feed, false), member(feed, false, [OTHER_MERCHANT])];
    for (let i = 0; i < 5; i++) await turn();
    // The first goes first: the last one out names only the other merchant.
    for (const one of members) await one.iterator.return?.();
    for (let i = 0; i < 5; i++) await turn();
    expect(feed.groupCount).toBe(0);

    const next = member(feed, false);
    for (let i = 0; i < 5; i++) await turn();
    await bus.publish([record(HEAD + 1n)]);
    for (let i = 0; i < 10; i++) await turn();
    expect(next.sent).toEqual([`result of ${HEAD + 1n}`]);
    feed.stop();
  });

  it("joins batches into one write per member only up to the queue limit, so a member that keeps up is not taken for a slow one", async () => {
    const bus = createInProcessBus(pino({ level: "silent" }));
    const feed = new LiveFeed({ pool, bus, logger: pino({ level: "silent" }), pollIntervalMs: 60_000, queueLimit: 3 });
    await feed.start();
    // More members than one turn's writes: the round yields before the last ones, and the next batch joins it there.
    const members = Array.from({ length: 300 }, () => member(feed, false));
    for (let i = 0; i < 5; i++) await turn();
    void bus.publish([record(HEAD + 1n), record(HEAD + 2n)]);
    void bus.publish([record(HEAD + 3n), record(HEAD + 4n)]);
    for (let i = 0; i < 10; i++) await turn();

    const all = [1n, 2n, 3n, 4n].map((n) => `result of ${HEAD + n}`);
    for (const one of members) expect(one.sent).toEqual(all);
    // Those the round reached before the second batch: a write per batch; the others would have had both in one write.
    for (const one of members) expect(one.runs).toEqual([2, 2]);
    feed.stop();
  });
});

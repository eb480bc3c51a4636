/**
 * The live feed of one gateway instance: it turns the best-effort fan-out (pubsub.ts) into a gap-free, ordered
 * stream of outbox events, and hands each subscriber a replay of what it missed followed by that stream.
 *
 * The feed keeps `head`, the delivery sequence up to which it has passed every event on. Because the relay's
 * numbers are dense and commit in order (relay.ts), an event numbered above head + 1 proves that the ones in between
 * exist and are committed: the feed reads them from the outbox before going on. It also reads the outbox on a timer
 * and when the fan-out says there is news, which covers a batch lost at the end of a burst and a Redis outage.
 *
 * A subscriber joins at the current head: it replays its own filtered slice of the outbox from `after` up to that
 * head, then takes live events, which all lie above it, so the seam has neither a gap nor an overlap.
 *
 * Live events are authorised here, once per batch: subscribers are indexed by merchant, grouped by principal, and
 * each principal's permissions are read afresh once for all of its subscriptions. Subscriptions of one principal that
 * asked the same (a group: the same dashboard open many times) are matched, admitted and given their results once per
 * batch for the whole group; what is left per subscriber is its frames. A subscriber's queue holds
 * references to the shared event objects and is bounded; a subscriber that falls further behind is ended rather
 * than allowed to hold memory. Token expiry is one sweep over every subscriber, not a timer each.
 */
import type pg from "pg";
import { GraphQLError } from "graphql";
import { Repeater } from "graphql-yoga";
import type { Logger } from "pino";
import { AuthenticationError } from "../auth/errors";
import { OUTBOX_RECORD_COLUMNS, recordFromRow, type OutboxRecord } from "./outbox";
import type { EventBus } from "./pubsub";

export const REPLAY_PAGE_SIZE = 100;

/** How often expired subscriptions are ended; a token outlives its expiry by at most this much. */
export const EXPIRY_SWEEP_MS = 500;

export class SlowConsumerError extends GraphQLError {
  constructor(limit: number) {
    super(`More than ${limit} events were waiting to be sent, so this subscription was ended. Subscribe again with after: the id of the last event you received.`, {
      extensions: { code: "SLOW_CONSUMER" },
    });
  }
}

export interface FeedOptions {
  pool: pg.Pool;
  bus: EventBus;
  logger: Logger;
  /** How often the outbox is read for events the fan-out did not bring. */
  pollIntervalMs: number;
  /** Live events one subscriber may have waiting before it is ended. */
  queueLimit: number;
}

/** `A` is whatever the subscriber's permissions are read into; the feed only passes it along. */
export interface FeedSubscription<A> {
  /** Resume after this delivery sequence; null: only what happens from now on. */
  after: bigint | null;
  /** The merchants whose events can concern the subscriber ("*": any); the feed looks only there. */
  merchantIds: readonly string[] | "*";
  /** Which live events concern the subscriber; must select what `replay` selects. */
  matches(record: OutboxRecord): boolean;
  /** The subscriber's events with `after < seq <= upTo`, in sequence order, at most `limit`. */
  replay(after: bigint, upTo: bigint, limit: number): Promise<OutboxRecord[]>;
  /** Subscriptions with the same key have the same permissions: one fresh read per batch serves them all. */
  principalKey: string;
  /**
   * Subscriptions with the same group key are interchangeable but for their cursor and transport: same principal, same
   * `matches` and `admit`, and (on a lane) the same result per event. The feed then matches, admits and asks for the
   * results of a batch once per group, and what is left per subscriber is its frames. Omitted: a group of its own.
   */
  groupKey?: string;
  /** Reads the subscriber's permissions afresh. */
  loadAccess(): Promise<A>;
  /** What the fresh permissions let the subscriber see of `records`; throws to end the subscription. */
  admit(access: A, records: OutboxRecord[]): OutboxRecord[];
  /** When the subscriber's credentials expire; the subscription ends then. */
  expiresAt: Date | null;
  /**
   * Called when the subscriber falls behind, so the transport can close its connection; true if it did, and the
   * subscription then just completes (the close says why). Otherwise the subscription ends with the error.
   */
  onOverflow(error: SlowConsumerError): boolean;
  /**
   * For transports that take events faster than their client does (they buffer them): resolves when the client
   * has caught up, null when it has. Events wait in the bounded queue meanwhile.
   */
  writable?(): Promise<void> | null;
  /**
   * A transport that can send an event's result itself (graphql-ws, for a field that returns the event as it is).
   * Once the subscriber has caught up, a live batch then costs it the result lookup and a frame: the feed hands the
   * results straight to `send`, and the async iterator returned by `subscribe` only carries the end.
   */
  lane?: FeedLane;
}

/** See `FeedSubscription.lane`. `resultOf` must be cheap for an event whose result another subscriber of the class already asked for. */
export interface FeedLane {
  /** The event's result for this subscriber, with its permissions as last admitted; maybe pending. */
  resultOf(record: OutboxRecord): unknown;
  /** Sends settled results, in order (several in one write where the transport can); false once its operation is over. */
  send(results: readonly unknown[]): boolean;
}

const NO_EVENTS: readonly OutboxRecord[] = Object.freeze([]);

/** Subscribers handed a batch through their async iterators per turn of the event loop. */
const OFFERS_PER_TURN = 200;

/**
 * Subscribers on a direct lane written per turn of the event loop (a write each, no promise): about 5 ms of system
 * calls, so the next batch's admission and a capture's statements wait at most that long behind a fan-out.
 */
const DIRECT_WRITES_PER_TURN = 256;

class Subscriber {
  group: Group | null = null;
  private queue: readonly OutboxRecord[] = NO_EVENTS;
  private wake: (() => void) | null = null;
  ended = false;
  /**
   * On the direct lane: caught up (replay done, queue empty), so live batches go to `lane.send` instead of the queue.
   * `floor` is then the last sequence sent: only an `after` beyond the feed's head makes a live event old news.
   */
  live = false;
  floor = 0n;
  readonly expiresAt: number;
  /** The subscription's lane, kept here: read for every delivery, and the subscriptions' own shapes vary. */
  readonly lane: FeedLane | undefined;
  /** Set by the feed: ends the subscription (with an error, or completing it). */
  end: (error?: Error) => void = () => undefined;

  constructor(readonly subscription: FeedSubscription<unknown>) {
    this.expiresAt = subscription.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    this.lane = subscription.lane;
  }

  /** Returns false when the queue would exceed `limit`. */
  offer(records: readonly OutboxRecord[], limit: number): boolean {
    if (this.ended || records.length === 0) return true;
    if (this.queue.length + records.length > limit) return false;
    this.queue = this.queue.length === 0 ? records : [...this.queue, ...records];
    this.notify();
    return true;
  }

  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** Resolves when events are waiting or the subscriber has ended. */
  ready(): Promise<void> {
    if (this.queue.length > 0 || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  take(): readonly OutboxRecord[] {
    const taken = this.queue;
    this.queue = NO_EVENTS;
    return taken;
  }

  close(): void {
    this.ended = true;
    this.queue = NO_EVENTS;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Subscriptions with one group key (`FeedSubscription.groupKey`). Any member can stand for the group in what its members
 * share (matching an event, admitting a batch, asking for an event's result); each member keeps its own cursor, queue and
 * transport.
 */
class Group {
  readonly members = new Set<Subscriber>();
  /** Admitted batches for the members on the direct lane, in sequence order, until every member has been written them. */
  outgoing: Outgoing[] = [];

  constructor(
    readonly key: string | null,
    /** Where the group is indexed (`LiveFeed.byMerchant`): its first member's merchants, kept so it is removed from there. */
    readonly merchantIds: readonly string[],
  ) {}

  /** The subscription that answers for the group: any member serves (they are interchangeable). */
  get subscription(): FeedSubscription<unknown> {
    return this.members.values().next().value!.subscription;
  }
}

/** One group's share of a batch on the direct lane: the records its members may see, and their settled results. */
interface Outgoing {
  records: OutboxRecord[];
  /** The sequences of the first and the last of `records`. */
  first: bigint;
  last: bigint;
  /** The results of `records` up to the first that failed (all of them when none did). */
  values: unknown[];
  /** The first result that failed, if any: a member that gets this far is ended with its error. */
  failure: { index: number; error: Error } | null;
}

const bySeq = (a: OutboxRecord, b: OutboxRecord) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
const ANY_MERCHANT = "*";

export class LiveFeed {
  private head = 0n;
  private readonly subscribers = new Set<Subscriber>();
  /** Groups of subscribers by key (`FeedSubscription.groupKey`); subscribers without a key have a group of their own. */
  private readonly groups = new Map<string, Group>();
  /** Groups by the merchants their subscribers may hear of ("*": every merchant). */
  private readonly byMerchant = new Map<string, Set<Group>>();
  /** Groups with batches to write (`Group.outgoing`), and whether `drain` is writing them. */
  private readonly writing = new Set<Group>();
  private draining = false;
  /** Every change of head and of the subscriber set runs here, one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private repairQueued = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: FeedOptions) {}

  async start(): Promise<void> {
    this.head = await this.maxSeq();
    this.detach.push(
      this.options.bus.subscribe((records) => this.serial(() => this.apply(records)).catch(() => undefined)),
      this.options.bus.onNews(() => this.repair()),
    );
    const poll = setInterval(() => this.repair(), this.options.pollIntervalMs);
    const sweep = setInterval(() => this.endExpired(), EXPIRY_SWEEP_MS);
    for (const timer of [poll, sweep]) timer.unref();
    this.timers.push(poll, sweep);
  }

  /** Ends every subscription (they complete normally) and stops listening. */
  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const detach of this.detach.splice(0)) detach();
    for (const subscriber of [...this.subscribers]) subscriber.end();
  }

  /** Subscriptions this instance serves now. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Groups of interchangeable subscriptions among them (`FeedSubscription.groupKey`): a batch is admitted once per group. */
  get groupCount(): number {
    const groups = new Set<Group>();
    for (const set of this.byMerchant.values()) for (const group of set) groups.add(group);
    return groups.size;
  }

  subscribe<A>(subscription: FeedSubscription<A>): AsyncIterableIterator<OutboxRecord> {
    return new Repeater<OutboxRecord>(async (push, stop) => {
      const subscriber = new Subscriber(subscription as FeedSubscription<unknown>);
      subscriber.end = (error?: Error) => {
        if (subscriber.ended) return;
        subscriber.close();
        this.remove(subscriber);
        stop(error);
      };
      void stop.then(() => subscriber.end());
      if (subscriber.expiresAt <= Date.now()) return subscriber.end(expired());

      const lane = subscription.lane;
      const send = lane
        ? async (records: readonly OutboxRecord[]) => {
            for (const record of records) {
              const result = await lane.resultOf(record);
              if (subscriber.ended || !lane.send([result])) return;
              // A replay page is written a frame per turn of the event loop, as the socket takes them: all at once, a
              // page would count against the socket's bound on waiting messages and close a client that keeps up (4008).
              await nextTurn();
            }
          }
        : async (records: readonly OutboxRecord[]) => {
            for (const record of records) {
              const full = subscription.writable?.();
              if (full) await full;
              if (subscriber.ended) return;
              await push(record);
            }
          };

      try {
        const liveFrom = await this.serial(async () => {
          // While nobody listened, head only followed the fan-out, which may have missed events: start from the truth.
          if (this.subscribers.size === 0) this.head = await this.maxSeq();
          if (!subscriber.ended) this.add(subscriber);
          return this.head;
        });
        let last = subscription.after ?? liveFrom;
        while (!subscriber.ended && last < liveFrom) {
          const page = await subscription.replay(last, liveFrom, REPLAY_PAGE_SIZE);
          last = page.length < REPLAY_PAGE_SIZE ? liveFrom : page[page.length - 1]!.seq;
          if (page.length > 0) await send(subscription.admit(await subscription.loadAccess(), page));
        }
        while (!subscriber.ended) {
          if (lane && subscriber.idle) {
            // Caught up: from the next batch on, the feed sends this subscriber's events itself (dispatch).
            subscriber.floor = last;
            subscriber.live = true;
            await subscriber.ready();
            continue;
          }
          await subscriber.ready();
          // Live events all lie above the replay; only an `after` beyond this instance's head makes some of them old news.
          const taken = subscriber.take();
          const batch = taken[0] && taken[0].seq <= last ? taken.filter((record) => record.seq > last) : taken;
          if (batch.length === 0) continue;
          last = batch[batch.length - 1]!.seq;
          await send(batch);
        }
      } catch (error) {
        subscriber.end(asError(error));
      }
    });
  }

  private add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    const key = subscriber.subscription.groupKey ?? null;
    let group = key === null ? undefined : this.groups.get(key);
    if (!group) {
      const merchants = subscriber.subscription.merchantIds;
      group = new Group(key, merchants === "*" ? [ANY_MERCHANT] : merchants);
      if (key !== null) this.groups.set(key, group);
      for (const merchant of group.merchantIds) {
        let set = this.byMerchant.get(merchant);
        if (!set) {
          set = new Set();
          this.byMerchant.set(merchant, set);
        }
        set.add(group);
      }
    }
    group.members.add(subscriber);
    subscriber.group = group;
  }

  private remove(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    const group = subscriber.group!;
    group.members.delete(subscriber);
    if (group.members.size > 0) return;
    if (group.key !== null) this.groups.delete(group.key);
    for (const merchant of group.merchantIds) {
      const set = this.byMerchant.get(merchant);
      set?.delete(group);
      if (set?.size === 0) this.byMerchant.delete(merchant);
    }
  }

  private endExpired(): void {
    const now = Date.now();
    for (const subscriber of this.subscribers) if (subscriber.expiresAt <= now) subscriber.end(expired());
  }

  /** Runs `task` after every earlier one; a failure is logged and does not stop the ones after it. */
  private serial<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.chain.then(task);
    this.chain = result.catch((error: unknown) =>
      this.options.logger.error({ err: error }, "Live feed could not read the outbox; retrying on the next poll"),
    );
    return result;
  }

  private async apply(records: OutboxRecord[]): Promise<void> {
    if (this.subscribers.size === 0) {
      for (const record of records) if (record.seq > this.head) this.head = record.seq;
      return;
    }
    const fresh: OutboxRecord[] = [];
    for (const record of [...records].sort(bySeq)) {
      if (record.seq <= this.head) continue;
      if (record.seq > this.head + 1n) {
        await this.dispatch(fresh.splice(0));
        await this.catchUp();
      }
      if (record.seq === this.head + 1n) {
        this.head = record.seq;
        fresh.push(record);
      }
    }
    await this.dispatch(fresh);
  }

  private repair(): void {
    if (this.repairQueued || this.subscribers.size === 0) return;
    this.repairQueued = true;
    this.serial(async () => {
      this.repairQueued = false;
      if (this.subscribers.size > 0) await this.catchUp();
    }).catch(() => undefined);
  }

  /** Passes on every sequenced event above head, from the outbox. */
  private async catchUp(): Promise<void> {
    for (;;) {
      const { rows } = await this.options.pool.query(
        `SELECT ${OUTBOX_RECORD_COLUMNS} FROM "OutboxEvent" WHERE "deliverySeq" > $1::bigint ORDER BY "deliverySeq" LIMIT $2`,
        [this.head.toString(), REPLAY_PAGE_SIZE],
      );
      const records = rows.map(recordFromRow);
      if (records.length > 0) this.head = records[records.length - 1]!.seq;
      await this.dispatch(records);
      if (rows.length < REPLAY_PAGE_SIZE) return;
    }
  }

  /**
   * Hands a batch (in sequence order, head already past it) to the subscribers it concerns, after one fresh
   * permission read per principal among them. A group's subscribers on the direct lane share the matching, the
   * admission and the results: each costs a frame per event. The others are admitted one by one (each sets its own
   * context's access) and take the batch through their queues.
   */
  private async dispatch(records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    const wanted = new Map<Group, OutboxRecord[]>();
    for (const record of records) {
      for (const set of [this.byMerchant.get(ANY_MERCHANT), record.merchantId === null ? undefined : this.byMerchant.get(record.merchantId)]) {
        if (!set) continue;
        for (const group of set) {
          if (!group.subscription.matches(record)) continue;
          const list = wanted.get(group);
          if (list) list.push(record);
          else wanted.set(group, [record]);
        }
      }
    }
    const byPrincipal = new Map<string, Group[]>();
    for (const group of wanted.keys()) {
      const key = group.subscription.principalKey;
      const groups = byPrincipal.get(key);
      if (groups) groups.push(group);
      else byPrincipal.set(key, [group]);
    }
    let offered = 0;
    const lanes: { group: Group; records: OutboxRecord[]; results: unknown[] }[] = [];
    await Promise.all(
      [...byPrincipal.values()].map(async (groups) => {
        let access: unknown;
        try {
          access = await groups[0]!.subscription.loadAccess();
        } catch (error) {
          for (const group of groups) for (const subscriber of [...group.members]) subscriber.end(asError(error));
          return;
        }
        for (const group of groups) {
          const batch = wanted.get(group)!;
          for (const subscriber of [...group.members]) {
            if (subscriber.ended || subscriber.live) continue;
            // Each offer sets off the subscriber's delivery (its async iterators, execution or a shared result, the
            // message) as microtasks; a slice at a time keeps one event for thousands of subscribers from holding the
            // event loop for the whole fan-out, so captures and the relay's statements are answered meanwhile.
            if (++offered % OFFERS_PER_TURN === 0) await nextTurn();
            try {
              // Asked again after the wait: a subscriber that caught up meanwhile takes this batch from the lane (below),
              // and one in its queue too would be sent it twice, and the next batch before it.
              if (subscriber.ended || subscriber.live) continue;
              if (!subscriber.offer(subscriber.subscription.admit(access, batch), this.options.queueLimit)) {
                // An SSE library holding an error for a client that reads nothing would only reject into the void.
                const error = new SlowConsumerError(this.options.queueLimit);
                subscriber.end(subscriber.subscription.onOverflow(error) ? undefined : error);
              }
            } catch (error) {
              subscriber.end(asError(error));
            }
          }
          // One live member admits the batch and asks for its results, under the access just admitted, for all of them.
          // Chosen now, after the offers' waits: one chosen before could have ended meanwhile, and the others with it
          // would miss the batch.
          const live = liveMemberOf(group);
          if (!live) continue;
          try {
            const visible = live.subscription.admit(access, batch);
            if (visible.length === 0) continue;
            const lane = live.subscription.lane!;
            lanes.push({ group, records: visible, results: visible.map((record) => lane.resultOf(record)) });
          } catch (error) {
            for (const subscriber of [...group.members]) if (subscriber.live) subscriber.end(asError(error));
          }
        }
      }),
    );
    if (lanes.length === 0) return;
    // Subscribers of one class share each result: the distinct ones are few, settle them once for the lot.
    const settled = new Map<unknown, { value: unknown } | { error: Error }>();
    for (const { results } of lanes) for (const result of results) if (result instanceof Promise && !settled.has(result)) settled.set(result, { value: undefined });
    await Promise.all(
      [...settled.keys()].map((pending) =>
        (pending as Promise<unknown>).then(
          (value) => settled.set(pending, { value }),
          (error: unknown) => settled.set(pending, { error: asError(error) }),
        ),
      ),
    );
    for (const { group, records, results } of lanes) {
      const outcomes = results.map((result) => (result instanceof Promise ? settled.get(result)! : { value: result }));
      const failed = outcomes.findIndex((outcome) => "error" in outcome);
      const values = outcomes.slice(0, failed === -1 ? outcomes.length : failed).map((outcome) => (outcome as { value: unknown }).value);
      group.outgoing.push({
        records,
        first: records[0]!.seq,
        last: records[records.length - 1]!.seq,
        values,
        failure: failed === -1 ? null : { index: failed, error: (outcomes[failed] as { error: Error }).error },
      });
      this.writing.add(group);
    }
    void this.drain();
  }

  /**
   * Writes the groups' admitted batches to their members on the direct lane, a slice of members per turn of the event
   * loop, in rounds. This runs beside the serial chain, so the next batch is admitted while one is being written: a
   * member the current round has not reached yet gets both in one write. Under load, each round therefore carries more
   * events per system call instead of a backlog of rounds building up. A batch that was waiting when a round began has
   * been offered to every member by its end and is dropped; one that arrived during the round stays for the next.
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      let written = 0;
      while (this.writing.size > 0) {
        const round = [...this.writing].map((group) => ({ group, waiting: group.outgoing.length, members: [...group.members] }));
        for (const { group, members } of round) {
          for (const subscriber of members) {
            if (!subscriber.live || subscriber.ended) continue;
            if (++written % DIRECT_WRITES_PER_TURN === 0) {
              await nextTurn();
              if (!subscriber.live || subscriber.ended) continue;
            }
            try {
              this.write(subscriber, group.outgoing);
            } catch (error) {
              subscriber.end(asError(error));
            }
          }
        }
        for (const { group, waiting } of round) {
          group.outgoing.splice(0, waiting);
          if (group.outgoing.length === 0) this.writing.delete(group);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Sends a live subscriber what of `batches` lies above its floor, in one write. */
  private write(subscriber: Subscriber, batches: readonly Outgoing[]): void {
    const lane = subscriber.lane!;
    // The usual case, once per subscriber and event: one batch, all of it new to the subscriber, every result settled.
    if (batches.length === 1) {
      const only = batches[0]!;
      if (only.failure === null && subscriber.floor < only.first) {
        subscriber.floor = only.last;
        lane.send(only.values);
        return;
      }
    }
    let values: unknown[] | null = null;
    for (const { records, last, values: results, failure } of batches) {
      if (subscriber.floor >= last) continue;
      // Usually the whole batch is new to the subscriber: it joined at a head below it. Only an `after` beyond the
      // feed's head makes a part of it old news; one that joined later has a floor at or above it and skips it.
      let from = 0;
      while (records[from]!.seq <= subscriber.floor) from++;
      subscriber.floor = last;
      const upTo = failure?.index ?? results.length;
      // The transport counts a run's messages against SUBSCRIPTION_QUEUE_LIMIT as if they all waited. Batches joined
      // in a round would then close a subscriber that reads as fast as they come: past the limit, the run so far is
      // sent on its own, and the bound applies batch by batch, as it would without the joining.
      if (values !== null && from < upTo && values.length + (upTo - from) > this.options.queueLimit) {
        lane.send(values);
        values = null;
      }
      if (from < upTo) values = values === null && from === 0 && upTo === results.length ? results : [...(values ?? []), ...results.slice(from, upTo)];
      if (failure && from <= failure.index) {
        if (values) lane.send(values);
        subscriber.end(failure.error);
        return;
      }
    }
    if (values) lane.send(values);
  }

  private async maxSeq(): Promise<bigint> {
    const { rows } = await this.options.pool.query<{ seq: string }>(`SELECT COALESCE(MAX("deliverySeq"), 0)::text AS seq FROM "OutboxEvent"`);
    return BigInt(rows[0]!.seq);
  }
}

/** A member of `group` on the direct lane that has not ended, if any. */
function liveMemberOf(group: Group): Subscriber | undefined {
  for (const member of group.members) if (member.live && !member.ended) return member;
  return undefined;
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function expired(): AuthenticationError {
  return new AuthenticationError("Your token has expired: subscribe again with a fresh token.");
}

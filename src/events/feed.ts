/**
 * The live feed of one gateway instance: it turns the best-effort fan-out (pubsub.ts) into a gap-free, ordered
 * stream of outbox events, and hands each subscriber a replay of what it missed followed by that stream.
 *
 * The feed keeps `head`, the delivery sequence up to which it has passed every event on. Because the relay's
 * numbers are dense and commit in order (relay.ts), an event numbered above head + 1 proves that the ones in between
 * exist and are committed: the feed reads them from the outbox before going on. It also reads the outbox on a timer
 * and when Redis comes back, which covers a batch lost at the end of a burst and a Redis outage.
 *
 * A subscriber joins at the current head: it replays its own filtered slice of the outbox from `after` up to that
 * head, then takes live events, which all lie above it, so the seam has neither a gap nor an overlap. Its live
 * queue is bounded; a subscriber that falls further behind is ended rather than allowed to hold memory.
 */
import type pg from "pg";
import { GraphQLError } from "graphql";
import { Repeater } from "graphql-yoga";
import type { Logger } from "pino";
import { AuthenticationError } from "../auth/errors";
import { OUTBOX_RECORD_COLUMNS, recordFromRow, type OutboxRecord } from "./outbox";
import type { EventBus } from "./pubsub";

export const REPLAY_PAGE_SIZE = 100;

/** Node cannot wait longer with one timer; longer-lived tokens are left to the transport's own expiry check. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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

export interface FeedSubscription {
  /** Resume after this delivery sequence; null: only what happens from now on. */
  after: bigint | null;
  /** Which live events concern the subscriber; must select what `replay` selects. */
  matches(record: OutboxRecord): boolean;
  /** The subscriber's events with `after < seq <= upTo`, in sequence order, at most `limit`. */
  replay(after: bigint, upTo: bigint, limit: number): Promise<OutboxRecord[]>;
  /** Checks the subscriber's permissions afresh before a batch goes out: returns what it may see, or throws to end. */
  authorize(records: OutboxRecord[]): Promise<OutboxRecord[]>;
  /** When the subscriber's credentials expire; the subscription ends then. */
  expiresAt: Date | null;
  /** Called when the subscriber is ended for falling behind, so the transport can close its connection. */
  onOverflow(error: SlowConsumerError): void;
}

class Subscriber {
  private queue: OutboxRecord[] = [];
  private wake: (() => void) | null = null;
  closed = false;

  constructor(
    private readonly matches: (record: OutboxRecord) => boolean,
    private readonly limit: number,
    private readonly overflow: (error: SlowConsumerError) => void,
  ) {}

  offer(record: OutboxRecord): void {
    if (this.closed || !this.matches(record)) return;
    if (this.queue.length >= this.limit) {
      this.queue = [];
      this.overflow(new SlowConsumerError(this.limit));
      return;
    }
    this.queue.push(record);
    this.notify();
  }

  /** Resolves when events are waiting or the subscriber is closed. */
  ready(): Promise<void> {
    if (this.queue.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  take(): OutboxRecord[] {
    const taken = this.queue;
    this.queue = [];
    return taken;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

const bySeq = (a: OutboxRecord, b: OutboxRecord) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);

export class LiveFeed {
  private head = 0n;
  private readonly subscribers = new Set<Subscriber>();
  /** Every change of head and of the subscriber set runs here, one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private repairQueued = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly detach: (() => void)[] = [];
  private readonly endAll = new Set<() => void>();

  constructor(private readonly options: FeedOptions) {}

  async start(): Promise<void> {
    this.head = await this.maxSeq();
    this.detach.push(
      this.options.bus.subscribe((records) => this.serial(() => this.apply(records)).catch(() => undefined)),
      this.options.bus.onReconnect(() => this.repair()),
    );
    this.timer = setInterval(() => this.repair(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** Ends every subscription (they complete normally) and stops listening. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const detach of this.detach.splice(0)) detach();
    for (const end of [...this.endAll]) end();
  }

  subscribe(subscription: FeedSubscription): AsyncIterableIterator<OutboxRecord> {
    return new Repeater<OutboxRecord>(async (push, stop) => {
      let ended = false;
      let expiry: NodeJS.Timeout | undefined;
      const end = (error?: Error) => {
        if (ended) return;
        ended = true;
        clearTimeout(expiry);
        subscriber.close();
        this.endAll.delete(end);
        this.subscribers.delete(subscriber);
        stop(error);
      };
      const subscriber = new Subscriber(subscription.matches, this.options.queueLimit, (error) => {
        end(error);
        subscription.onOverflow(error);
      });
      this.endAll.add(end);
      void stop.then(() => end());
      if (subscription.expiresAt) {
        const remaining = subscription.expiresAt.getTime() - Date.now();
        if (remaining <= MAX_TIMER_MS) {
          expiry = setTimeout(() => end(new AuthenticationError("Your token has expired: subscribe again with a fresh token.")), Math.max(0, remaining));
          expiry.unref();
        }
      }

      const send = async (records: OutboxRecord[]) => {
        for (const record of await subscription.authorize(records)) {
          if (ended) return;
          await push(record);
        }
      };

      try {
        const liveFrom = await this.serial(async () => {
          // While nobody listened, head only followed the fan-out, which may have missed events: start from the truth.
          if (this.subscribers.size === 0) this.head = await this.maxSeq();
          if (!ended) this.subscribers.add(subscriber);
          return this.head;
        });
        let last = subscription.after ?? liveFrom;
        while (!ended && last < liveFrom) {
          const page = await subscription.replay(last, liveFrom, REPLAY_PAGE_SIZE);
          last = page.length < REPLAY_PAGE_SIZE ? liveFrom : page[page.length - 1]!.seq;
          await send(page);
        }
        while (!ended) {
          await subscriber.ready();
          // Live events all lie above the replay; only an `after` beyond this instance's head makes some of them old news.
          const batch = subscriber.take().filter((record) => record.seq > last);
          if (batch.length === 0) continue;
          last = batch[batch.length - 1]!.seq;
          await send(batch);
        }
      } catch (error) {
        end(error instanceof Error ? error : new Error(String(error)));
      }
    });
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
    for (const record of [...records].sort(bySeq)) {
      if (record.seq <= this.head) continue;
      if (record.seq > this.head + 1n) await this.catchUp();
      if (record.seq === this.head + 1n) this.dispatch(record);
    }
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
      for (const row of rows) this.dispatch(recordFromRow(row));
      if (rows.length < REPLAY_PAGE_SIZE) return;
    }
  }

  private dispatch(record: OutboxRecord): void {
    this.head = record.seq;
    for (const subscriber of this.subscribers) subscriber.offer(record);
  }

  private async maxSeq(): Promise<bigint> {
    const { rows } = await this.options.pool.query<{ seq: string }>(`SELECT COALESCE(MAX("deliverySeq"), 0)::text AS seq FROM "OutboxEvent"`);
    return BigInt(rows[0]!.seq);
  }
}

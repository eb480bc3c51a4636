/**
 * Fan-out of sequenced outbox events to the feeds of every gateway instance: in-process by default, through Redis
 * pub/sub with REDIS_URL. Delivery here is best effort: a feed notices a lost or reordered batch by the gap in the
 * dense delivery sequence and reads the missing events from the outbox (feed.ts), so a Redis outage costs latency,
 * never events.
 *
 * Redis carries news, never events: whoever can publish on the channel could otherwise put a forged event, with the
 * next sequence number, in front of every subscriber (and push the real one out as a duplicate). A message only
 * makes each feed read the outbox, which holds what was really committed; the relay's own instance gets its batch
 * in-process. A forged message thus costs one outbox read.
 *
 * Redis by hand on ioredis rather than @graphql-yoga/redis-event-target: that package requires ioredis 5, and the
 * feed needs to hear when the connection comes back to catch up at once.
 */
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { OutboxRecord } from "./outbox";

export type BatchListener = (records: OutboxRecord[]) => void;
export type NewsListener = (why: "announced" | "reconnected") => void;

export interface EventBus {
  /** Hands a batch to this instance's feed and tells the others there is news; rejects when the shared transport is unreachable. */
  publish(records: readonly OutboxRecord[]): Promise<void>;
  /** Batches this instance's relay sequenced (from the database, so trusted). */
  subscribe(listener: BatchListener): () => void;
  /** Called when another instance announced events, or the shared transport is back after an outage: read the outbox. */
  onNews(listener: NewsListener): () => void;
  /** False while the shared transport is unreachable. */
  readonly connected: boolean;
  close(): Promise<void>;
}

function listenerSet<T extends (...args: never[]) => void>(logger: Logger) {
  const listeners = new Set<T>();
  return {
    add(listener: T): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(...args: Parameters<T>): void {
      for (const listener of listeners) {
        try {
          listener(...args);
        } catch (error) {
          logger.error({ err: error }, "Live event listener failed");
        }
      }
    },
  };
}

export function createInProcessBus(logger: Logger): EventBus {
  const batches = listenerSet<BatchListener>(logger);
  return {
    publish: async (records) => batches.emit([...records]),
    subscribe: (listener) => batches.add(listener),
    onNews: () => () => undefined,
    connected: true,
    close: async () => undefined,
  };
}

export interface RedisBusOptions {
  url: string;
  /** Namespaces the channel, so several deployments (or test runs) can share one Redis. */
  channelPrefix: string;
  logger: Logger;
}

/** ioredis retries for ever; cap the pause between attempts so recovery is noticed within a couple of seconds. */
const MAX_RECONNECT_DELAY_MS = 2000;

export function createRedisBus({ url, channelPrefix, logger }: RedisBusOptions): EventBus {
  const channel = `${channelPrefix}:outbox`;
  const batches = listenerSet<BatchListener>(logger);
  const news = listenerSet<NewsListener>(logger);
  const retryStrategy = (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);
  // Without the offline queue a publish during an outage fails at once instead of piling up in memory.
  const publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy });
  const subscriber = new Redis(url, { autoResubscribe: true, maxRetriesPerRequest: null, retryStrategy });
  let connected = false;
  let degraded = false;
  let closing = false;

  const lost = (error?: unknown) => {
    connected = false;
    if (closing || degraded) return;
    degraded = true;
    logger.warn({ err: error }, "Redis is unreachable: live events fall back to reading the outbox until it is back");
  };
  publisher.on("error", () => undefined);
  subscriber.on("error", (error) => lost(error));
  subscriber.on("close", () => lost());
  subscriber.on("ready", () => {
    connected = true;
    if (degraded) logger.info("Redis is reachable again: live events fan out through it");
    degraded = false;
    news.emit("reconnected");
  });
  subscriber.subscribe(channel).catch((error: unknown) => lost(error));
  // The message's content is not looked at: it is only a reason to read the outbox.
  subscriber.on("message", (from: string) => {
    if (from === channel) news.emit("announced");
  });

  return {
    publish: async (list) => {
      // This instance's feed gets the batch without the round trip, and still gets it if Redis is down.
      batches.emit([...list]);
      await publisher.publish(channel, String(list[list.length - 1]?.seq ?? ""));
    },
    subscribe: (listener) => batches.add(listener),
    onNews: (listener) => news.add(listener),
    get connected() {
      return connected;
    },
    close: async () => {
      closing = true;
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

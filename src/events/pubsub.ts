/**
 * Fan-out of sequenced outbox events to the feeds of every gateway instance: in-process by default, through Redis
 * pub/sub with REDIS_URL. Delivery here is best effort: a feed notices a lost or reordered batch by the gap in the
 * dense delivery sequence and reads the missing events from the outbox (feed.ts), so a Redis outage costs latency,
 * never events.
 *
 * Redis by hand on ioredis rather than @graphql-yoga/redis-event-target: that package requires ioredis 5, and the
 * feed needs to hear when the connection comes back to catch up at once.
 */
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { recordFromRow, type OutboxRecord, type OutboxRow } from "./outbox";

export type BatchListener = (records: OutboxRecord[]) => void;

export interface EventBus {
  /** Hands a batch to every instance's feed; rejects when the shared transport is unreachable. */
  publish(records: readonly OutboxRecord[]): Promise<void>;
  subscribe(listener: BatchListener): () => void;
  /** Called when the shared transport is back after an outage (in-process: never). */
  onReconnect(listener: () => void): () => void;
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
    onReconnect: () => () => undefined,
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
  const reconnects = listenerSet<() => void>(logger);
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
    reconnects.emit();
  });
  subscriber.subscribe(channel).catch((error: unknown) => lost(error));
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    let records: OutboxRecord[];
    try {
      records = (JSON.parse(message) as OutboxRow[]).map(recordFromRow);
    } catch (error) {
      logger.error({ err: error }, "Ignoring a malformed live event message from Redis");
      return;
    }
    batches.emit(records);
  });

  return {
    publish: async (list) => {
      // This instance's feed gets the batch without the round trip, and still gets it if Redis is down.
      batches.emit([...list]);
      const message = JSON.stringify(list, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
      await publisher.publish(channel, message);
    },
    subscribe: (listener) => batches.add(listener),
    onReconnect: (listener) => reconnects.add(listener),
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

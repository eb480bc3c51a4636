/**
 * The live-update machinery of one gateway instance, started and stopped together: the fan-out (in-process, or
 * Redis with REDIS_URL), the feed that subscriptions read, and the outbox relay (unless OUTBOX_RELAY=false, e.g.
 * when relays run elsewhere). Background reads and writes use a small pool of their own, outside Prisma.
 */
import type pg from "pg";
import { createPool } from "../db/pools";
import type { Logger } from "pino";
import type { Config } from "../config";
import { ConnectionLimits } from "./connection-limits";
import { LiveFeed } from "./feed";
import { createInProcessBus, createRedisBus, type EventBus } from "./pubsub";
import { startRelay, type Relay } from "./relay";

export interface LiveEvents {
  feed: LiveFeed;
  bus: EventBus;
  relay: Relay | null;
  /** The pool of the relay's and the feed's reads (metrics). */
  pool: pg.Pool;
  /** Streaming connections per principal and per address, over WebSocket and SSE together. */
  connections: ConnectionLimits;
  stop(): Promise<void>;
}

type LiveConfig = Pick<
  Config,
  "redisUrl" | "redisChannelPrefix" | "outboxRelay" | "outboxPollIntervalMs" | "subscriptionQueueLimit" | "maxConnectionsPerPrincipal" | "maxConnectionsPerAddress"
>;

/** The relay's pass and the feed's reads, with one to spare for a replay racing them. */
const POOL_SIZE = 3;

export async function startLiveEvents(config: LiveConfig, databaseUrl: string, logger: Logger): Promise<LiveEvents> {
  const pool = createPool("live-events", { connectionString: databaseUrl, max: POOL_SIZE }, (error, name) =>
    logger.warn({ err: error, pool: name }, "A database session failed outside any query"),
  );
  pool.on("error", (error) => logger.warn({ err: error }, "An idle live-events database connection failed"));
  const bus = config.redisUrl
    ? createRedisBus({ url: config.redisUrl, channelPrefix: config.redisChannelPrefix, logger })
    : createInProcessBus(logger);
  const feed = new LiveFeed({ pool, bus, logger, pollIntervalMs: config.outboxPollIntervalMs, queueLimit: config.subscriptionQueueLimit });
  try {
    await feed.start();
  } catch (error) {
    await bus.close();
    await pool.end();
    throw error;
  }
  const relay = config.outboxRelay ? startRelay({ databaseUrl, pool, bus, logger, pollIntervalMs: config.outboxPollIntervalMs }) : null;
  return {
    feed,
    bus,
    relay,
    pool,
    connections: new ConnectionLimits({ perPrincipal: config.maxConnectionsPerPrincipal, perAddress: config.maxConnectionsPerAddress }),
    stop: async () => {
      await relay?.stop();
      feed.stop();
      await bus.close();
      await pool.end();
    },
  };
}

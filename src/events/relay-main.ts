/**
 * The outbox relay as a process of its own (`npm run relay`), for deployments that run gateways with
 * OUTBOX_RELAY=false. It needs DATABASE_URL and, to reach the gateways' feeds at once, REDIS_URL; without Redis the
 * feeds still find its events on their next outbox read.
 */
import { createPool } from "../db/pools";
import { loadConfig } from "../config";
import { createLogger } from "../logging";
import { createInProcessBus, createRedisBus } from "./pubsub";
import { startRelay } from "./relay";

const config = loadConfig();
const logger = createLogger(config);
if (!config.databaseUrl) throw new Error("The relay process needs DATABASE_URL: it serves the gateways' database, not an embedded one.");
const pool = createPool("relay", { connectionString: config.databaseUrl, max: 1 }, (error, name) =>
  logger.warn({ err: error, pool: name }, "A database session failed outside any query"),
);
pool.on("error", (error) => logger.warn({ err: error }, "An idle relay database connection failed"));
const bus = config.redisUrl ? createRedisBus({ url: config.redisUrl, channelPrefix: config.redisChannelPrefix, logger }) : createInProcessBus(logger);
const relay = startRelay({ databaseUrl: config.databaseUrl, pool, bus, logger, pollIntervalMs: config.outboxPollIntervalMs });
logger.info("Outbox relay running");

const shutdown = (signal: string) => {
  logger.info(`${signal}: stopping the outbox relay`);
  relay
    .stop()
    .then(() => bus.close())
    .then(() => pool.end())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "Relay shutdown failed");
        process.exit(1);
      },
    );
};
process.once("SIGINT", () => shutdown("SIGINT"));
process.once("SIGTERM", () => shutdown("SIGTERM"));

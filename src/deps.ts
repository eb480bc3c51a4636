/**
 * The long-lived parts every request, job and route shares. A leaf module (types and a clock only), so services,
 * HTTP routes and the event transports can name their dependencies without importing the request context.
 */
import type { Logger } from "pino";
import type { TokenService } from "./auth/tokens";
import type { Config } from "./config";
import type { Db } from "./db/client";
import type { LiveEvents } from "./events/live";

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Services {
  config: Config;
  db: Db;
  tokens: TokenService;
  encryptionKey: Buffer;
  clock: Clock;
  logger: Logger;
  /** The outbox relay, fan-out and feed behind subscriptions. */
  events: LiveEvents;
}

/**
 * How often one caller may ask, per principal and per client address, with rate-limiter-flexible: in memory for a
 * single instance, shared through Redis with REDIS_URL so every instance counts the same caller together. When
 * Redis is unreachable each instance falls back to its own memory counters rather than refusing everyone.
 */
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config";

export interface LimitRule {
  points: number;
  durationSeconds: number;
}

/** Each rule's figures; README "Limits" lists them. */
export function limitRules(config: Config) {
  return {
    /** GraphQL operations per authenticated principal. */
    principal: { points: config.rateLimitPerMinute, durationSeconds: 60 },
    /** GraphQL operations and plain requests per client address, whoever is calling. */
    address: { points: config.rateLimitPerAddressPerMinute, durationSeconds: 60 },
    /** Failed client-credential and development logins per client address: guessing stops quickly. */
    loginFailures: { points: config.loginFailureLimit, durationSeconds: 15 * 60 },
    /** Public payments through payment links per client address. */
    publicPayments: { points: config.publicPaymentsPerMinute, durationSeconds: 60 },
  } satisfies Record<string, LimitRule>;
}

export type LimitName = keyof ReturnType<typeof limitRules>;

/** A refused request: how long to wait before the next one is accepted. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} seconds.`);
    this.name = "RateLimitedError";
  }
}

export interface RateLimits {
  /** Counts one request against the rule for `key`; throws RateLimitedError once the rule's points are spent. */
  consume(name: LimitName, key: string): Promise<void>;
  /** Throws RateLimitedError if `key` has spent its points already, without counting this request (failures only). */
  assertOpen(name: LimitName, key: string): Promise<void>;
  /** Counts a failure (a wrong secret) without refusing this request: the next one is refused. */
  penalise(name: LimitName, key: string): Promise<void>;
  close(): Promise<void>;
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** `onRefused` is told the name of the limit of every refused request (metrics). */
export function createRateLimits(config: Config, onRefused: (name: LimitName) => void = () => {}): RateLimits {
  const rules = limitRules(config);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : null;
  // An unreachable Redis is logged by the live-event fan-out already; here it only means counting locally.
  redis?.on("error", () => {});
  const limiters = Object.fromEntries(
    Object.entries(rules).map(([name, rule]) => {
      const options = { keyPrefix: `${config.redisChannelPrefix}:limit:${name}`, points: rule.points, duration: rule.durationSeconds };
      const memory = new RateLimiterMemory(options);
      const limiter: RateLimiterAbstract = redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) }) : memory;
      return [name, limiter];
    }),
  ) as Record<LimitName, RateLimiterAbstract>;

  return {
    async consume(name, key) {
      try {
        await limiters[name].consume(key);
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        onRefused(name);
        throw new RateLimitedError(retryAfter(refusal));
      }
    },
    async assertOpen(name, key) {
      const state = await limiters[name].get(key);
      if (!state || state.remainingPoints > 0) return;
      onRefused(name);
      throw new RateLimitedError(retryAfter(state));
    },
    async penalise(name, key) {
      await limiters[name].penalty(key, 1);
    },
    async close() {
      redis?.disconnect();
    },
  };
}

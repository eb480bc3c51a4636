/**
 * S1, the live transaction feed at scale: N graphql-ws subscribers of one merchant's `transactionEvents` on one
 * gateway, payments changing at a steady rate, and a burst through the outbox relay.
 *
 *   tsx bench/s1-live-feed.ts --database-url <url> [--subscribers N] [--quick] [--events-per-s R] [--seconds S]
 *                             [--profile-dir D]   (writes the gateway's CPU profile to D)
 *                             [--heap-snapshot-dir D]   (a heap snapshot of the gateway with N idle subscribers)
 *
 * The database must hold the project's migrations and demo seed (merchant "Fjordkaffe AS"). The script starts the
 * gateway in production mode in a child process of its own, spreads the subscribers over 2–4 client processes,
 * and prints one JSON object as its last stdout line. See bench/README.md, "Live feed (S1)".
 *
 * This file is also the client process: `--client` makes it open subscribers on the parent's orders (IPC).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { exportPKCS8, generateKeyPair } from "jose";
import pg from "pg";
import { freePort } from "./servers";

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const SUBSCRIPTION = `subscription { transactionEvents {
  id type occurredAt operationAmount
  transaction { id reference status amount capturedAmount refundedAmount cancelledAmount currency }
  salesUnit { msn name }
} }`;

const CONNECTION_ACK = Buffer.from('"type":"connection_ack"');
const CAPTURED = Buffer.from('"type":"CAPTURED"');
const NEXT = Buffer.from('"type":"next"');
const ERRORS = Buffer.from('"errors":');
const PING = Buffer.from('"type":"ping"');
const OCCURRED_AT = Buffer.from('"occurredAt":"');
const QUOTE = Buffer.from('"');

/** Where a client process's sockets read into, one after the other (see `open`). */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** A client's frame: masked, as RFC 6455 requires of every frame a client sends. */
function sendFrame(socket: Socket, opcode: number, payload: Buffer): void {
  const header = payload.length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + 4 + payload.length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < payload.length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  socket.write(frame);
}

function sendText(socket: Socket, text: string): void {
  sendFrame(socket, 0x1, Buffer.from(text));
}

/** Subscribers one client process opens at once; more would only queue in the gateway's accept backlog. */
const CONNECT_CONCURRENCY = 100;

// ---------------------------------------------------------------------------------------------------------------
// Client process: opens its share of subscribers and keeps a histogram of commit-to-receipt latencies (1 ms bins).

type ToClient = { cmd: "connect"; url: string; tokens: string[]; count: number } | { cmd: "reset" } | { cmd: "report" } | { cmd: "exit" };
type FromClient =
  | { kind: "connected"; opened: number; failed: number }
  | { kind: "report"; histogram: [number, number][]; perSubscriber: number[]; errors: number; closed: number };

async function runClient(): Promise<void> {
  const counts: number[] = [];
  let histogram = new Map<number, number>();
  let errors = 0;
  let closed = 0;
  const sockets: Socket[] = [];
  const send = (message: FromClient) => process.send!(message);

  // The protocol (graphql-transport-ws, and WebSocket itself) by hand on `net` sockets, instead of graphql-ws's client
  // on `ws`: this process runs on the same cores as the gateway, and all it needs of a `next` message is its event's
  // occurredAt, found in the bytes without parsing the message. What it does per message is read a frame header and
  // search the bytes; `ws`'s receiver (a stream per socket, a message event, a buffer per message) cost twice that.
  const open = (url: string, token: string, index: number) =>
    new Promise<boolean>((resolve) => {
      const { hostname, port, pathname } = new URL(url);
      // Every read lands in one buffer of this process (`onread`): no buffer is allocated per read, and what a read
      // leaves unfinished is copied out before the next.
      const socket = connect({
        host: hostname,
        port: Number(port),
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (length: number, buffer: Uint8Array) => {
            onData(Buffer.from(buffer.buffer, buffer.byteOffset, length));
            return true;
          },
        },
      });
      sockets.push(socket);
      counts[index] = 0;
      let upgraded = false;
      let acknowledged = false;
      let rest: Buffer | null = null;
      socket.on("connect", () => {
        socket.write(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
        );
      });
      const onMessage = (data: Buffer, now: number) => {
        if (!acknowledged) {
          if (data.indexOf(CONNECTION_ACK) === -1) return;
          acknowledged = true;
          // A fresh id per operation, as graphql-ws's client makes them (its frames then carry a 36-character id).
          sendText(socket, JSON.stringify({ id: randomUUID(), type: "subscribe", payload: { query: SUBSCRIPTION } }));
          resolve(true);
          return;
        }
        const at = data.indexOf(OCCURRED_AT);
        if (data.indexOf(NEXT) === -1 || at === -1 || data.indexOf(ERRORS) !== -1) {
          // An error, a complete, or a next without data.
          if (data.indexOf(PING) !== -1) sendText(socket, JSON.stringify({ type: "pong" }));
          else errors++;
          return;
        }
        // Only the writer's captures are counted: the demo seed's reservations expire on their own (EXPIRED events
        // to every subscriber of the merchant), and one of those inside the window would read as a delivery too many.
        if (data.indexOf(CAPTURED) === -1) return;
        const start = at + OCCURRED_AT.length;
        const occurredAt = Date.parse(data.toString("latin1", start, data.indexOf(QUOTE, start)));
        counts[index]!++;
        const latency = Math.max(0, Math.round(now - occurredAt));
        histogram.set(latency, (histogram.get(latency) ?? 0) + 1);
      };
      const onData = (chunk: Buffer) => {
        const now = Date.now();
        let bytes = rest ? Buffer.concat([rest, chunk]) : chunk;
        rest = null;
        if (!upgraded) {
          const end = bytes.indexOf("\r\n\r\n");
          if (end === -1) {
            rest = Buffer.from(bytes);
            return;
          }
          if (!bytes.toString("latin1", 0, 12).endsWith("101")) {
            socket.destroy();
            return;
          }
          upgraded = true;
          sendText(socket, JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
          bytes = bytes.subarray(end + 4);
        }
        // Frames from the server are unmasked: a two-byte header, an extended length for longer ones, the payload.
        let offset = 0;
        while (bytes.length - offset >= 2) {
          const opcode = bytes[offset]! & 0x0f;
          let length = bytes[offset + 1]! & 0x7f;
          let header = 2;
          if (length === 126) {
            if (bytes.length - offset < 4) break;
            length = bytes.readUInt16BE(offset + 2);
            header = 4;
          } else if (length === 127) {
            if (bytes.length - offset < 10) break;
            length = Number(bytes.readBigUInt64BE(offset + 2));
            header = 10;
          }
          if (bytes.length - offset < header + length) break;
          const payload = bytes.subarray(offset + header, offset + header + length);
          offset += header + length;
          if (opcode === 0x1) onMessage(payload, now);
          else if (opcode === 0x9) sendFrame(socket, 0xa, payload); // the gateway's keep-alive ping
          else if (opcode === 0x8) socket.end();
        }
        if (offset < bytes.length) rest = Buffer.from(bytes.subarray(offset));
      };
      socket.on("error", () => undefined);
      socket.on("close", () => {
        closed++;
        resolve(false);
      });
    });

  process.on("message", (message: ToClient) => {
    switch (message.cmd) {
      case "connect": {
        void (async () => {
          let next = 0;
          let opened = 0;
          let failed = 0;
          const worker = async () => {
            for (let index = next++; index < message.count; index = next++) {
              if (await open(message.url, message.tokens[index % message.tokens.length]!, index)) opened++;
              else failed++;
            }
          };
          await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
          send({ kind: "connected", opened, failed });
        })();
        break;
      }
      case "reset":
        counts.fill(0);
        histogram = new Map();
        errors = 0;
        break;
      case "report":
        send({ kind: "report", histogram: [...histogram], perSubscriber: counts, errors, closed });
        break;
      case "exit":
        for (const socket of sockets) socket.destroy();
        setTimeout(() => process.exit(0), 200);
        break;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: database set-up, gateway, clients, the steady writer and the relay burst.

const log = (message: string) => console.log(`[s1] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The hard limit on open files, for 10 000 sockets in one process; the shell raises the soft limit to it. */
function spawnWithFiles(args: string[], env: NodeJS.ProcessEnv, ipc: boolean, nodeArgs: string[] = []): ChildProcess {
  const command = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
  return spawn("/bin/sh", ["-c", command, process.execPath, ...nodeArgs, "--import", "tsx", ...args], {
    cwd: ROOT,
    env,
    stdio: ipc ? ["ignore", "inherit", "inherit", "ipc"] : ["ignore", "inherit", "inherit"],
  });
}


/** CPU time (user + system) a process has used, in ms (`/proc/<pid>/stat`, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`No RSS for process ${pid}`);
  return Number(match[1]);
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

function percentile(histogram: Map<number, number>, p: number): number {
  const total = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const [ms, n] of [...histogram].sort((a, b) => a[0] - b[0])) {
    seen += n;
    if (seen >= rank) return ms;
  }
  return Number.NaN;
}

const METHOD_BY_COUNTRY: Record<string, string> = { NO: "BANKID_NO", DK: "MITID", FI: "FTN", SE: "BANKID_SE" };

interface Fixture {
  merchantId: string;
  salesUnitId: string;
  payments: string[];
  users: { id: string; method: string }[];
}

/** The merchant's Administrators (subscribers and writer) and reserved payments to capture from, one øre at a time. */
async function prepare(pool: pg.Pool, paymentCount: number): Promise<Fixture> {
  const merchant = await pool.query<{ id: string }>(`SELECT id FROM "Merchant" WHERE name = 'Fjordkaffe AS'`);
  if (!merchant.rows[0]) throw new Error('The database has no merchant "Fjordkaffe AS": create it with the demo seed.');
  const merchantId = merchant.rows[0].id;
  const users = await pool.query<{ id: string; country: string }>(
    `SELECT u.id, u.country::text AS country FROM "PortalUser" u JOIN "Membership" m ON m."userId" = u.id
     WHERE m."merchantId" = $1 AND m.role = 'ADMINISTRATOR' AND u."anonymizedAt" IS NULL ORDER BY u.id`,
    [merchantId],
  );
  const unit = await pool.query<{ id: string; currency: string }>(
    `SELECT id, currency::text AS currency FROM "SalesUnit" WHERE "merchantId" = $1 AND status = 'ACTIVE' AND environment = 'PRODUCTION' ORDER BY msn LIMIT 1`,
    [merchantId],
  );
  if (users.rows.length === 0 || !unit.rows[0]) throw new Error("Fjordkaffe AS needs an Administrator and an active sales unit.");
  const payments: string[] = [];
  for (let i = 0; i < paymentCount; i++) {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, currency, amount, "authorizedAmount", status, "reservedAt", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"Currency", 10000000, 10000000, 'RESERVED', now(), now()) RETURNING id`,
      [merchantId, unit.rows[0].id, `s1-${randomBytes(6).toString("hex")}`, unit.rows[0].currency],
    );
    payments.push(rows[0]!.id);
  }
  return {
    merchantId,
    salesUnitId: unit.rows[0].id,
    payments,
    users: users.rows.map((row) => ({ id: row.id, method: METHOD_BY_COUNTRY[row.country] ?? "BANKID_NO" })),
  };
}

const CAPTURE = `mutation($input: CaptureTransactionInput!) { captureTransaction(input: $input) { __typename ... on Error { message } } }`;

async function captureTransaction(baseUrl: string, token: string, transactionId: string): Promise<void> {
  const globalId = Buffer.from(`Transaction:${transactionId}`).toString("base64");
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: CAPTURE, variables: { input: { transactionId: globalId, amount: 1, idempotencyKey: randomUUID() } } }),
  });
  const body = (await response.json()) as { data?: { captureTransaction?: { __typename: string; message?: string } }; errors?: unknown };
  const result = body.data?.captureTransaction;
  if (!result || result.__typename.endsWith("Error")) throw new Error(`Capture failed: ${JSON.stringify(result ?? body.errors)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string" },
      subscribers: { type: "string" },
      quick: { type: "boolean", default: false },
      "events-per-s": { type: "string" },
      seconds: { type: "string" },
      client: { type: "boolean", default: false },
      floor: { type: "boolean", default: false },
      "profile-dir": { type: "string" },
      "heap-snapshot-dir": { type: "string" },
    },
  });
  if (values.client) return runClient();
  const databaseUrl = values["database-url"];
  if (!databaseUrl) throw new Error("Usage: tsx bench/s1-live-feed.ts --database-url <url> [--subscribers N] [--quick] [--events-per-s R] [--seconds S]");
  const quick = values.quick ?? false;
  const subscribers = Number(values.subscribers ?? (quick ? 1000 : 10_000));
  const eventsPerSecond = Number(values["events-per-s"] ?? 5);
  const seconds = Number(values.seconds ?? (quick ? 4 : 15));
  const burst = quick ? 5000 : 20_000;
  const clientCount = Math.min(4, Math.max(2, Math.ceil(subscribers / 2500)));

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const fixture = await prepare(pool, 10);
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingKey = await exportPKCS8(privateKey);
  // Tokens are minted here with the key the gateway is given (JWT_SIGNING_KEY), as its own token service would.
  const { loadConfig } = await import("../src/config");
  const { loadSigningKeys } = await import("../src/auth/keys");
  const { TokenService } = await import("../src/auth/tokens");
  const config = loadConfig({ DATABASE_URL: databaseUrl, JWT_SIGNING_KEY: signingKey });
  const tokens = new TokenService(await loadSigningKeys(undefined as never, config, Buffer.alloc(32)), config);
  const userTokens = await Promise.all(
    fixture.users.map((user) => tokens.issue({ kind: "user", userId: user.id, method: user.method as "BANKID_NO" }, 3600)),
  );

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const floor = values.floor ?? false;
  const gateway = spawnWithFiles(
    [floor ? "bench/s1-floor.ts" : "src/server.ts"],
    {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: baseUrl,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      JWT_SIGNING_KEY: signingKey,
      SEED_DEMO_DATA: "false",
      LOG_LEVEL: "warn",
      // One merchant's dashboards from one benchmark address: the per-principal and per-address caps must admit them.
      MAX_CONNECTIONS_PER_PRINCIPAL: String(subscribers + 10),
      MAX_CONNECTIONS_PER_ADDRESS: String(subscribers + 10),
    },
    false,
    [
      ...(values["profile-dir"] ? ["--cpu-prof", "--cpu-prof-dir", values["profile-dir"]] : []),
      ...(values["heap-snapshot-dir"] ? ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir", values["heap-snapshot-dir"]] : []),
    ],
  );
  const clients: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of [...clients, gateway]) if (child.exitCode === null) child.kill("SIGTERM");
  };
  process.once("exit", stopAll);
  try {
    await waitUntil("the gateway to answer /healthz", async () => (await fetch(`${baseUrl}/healthz`).catch(() => null))?.ok === true, 120_000, 200);
    const writerToken = userTokens[0]!;
    // The floor fans out on a plain POST (bench/s1-floor.ts); the gateway on a capture of one øre.
    const capture = floor
      ? async (url: string, _token: string, _payment: string) => void (await (await fetch(`${url}/capture`, { method: "POST" })).text())
      : captureTransaction;
    // Warm the gateway up (schema, JIT, pools) so the idle baseline is not inflated by first-use costs.
    for (let i = 0; i < 20; i++) await capture(baseUrl, writerToken, fixture.payments[i % fixture.payments.length]!);
    await sleep(1000);
    /** The gateway writes the snapshot synchronously on the signal; its next answer comes after it. */
    const heapSnapshot = async (what: string) => {
      process.kill(gateway.pid!, "SIGUSR2");
      await sleep(500);
      await waitUntil("the gateway to answer after its heap snapshot", async () => (await fetch(`${baseUrl}/healthz`).catch(() => null))?.ok === true, 600_000, 500);
      log(`heap snapshot with ${what} written to ${values["heap-snapshot-dir"]}`);
    };
    // Two snapshots, before the subscribers and with them idle: what differs is what they hold.
    if (values["heap-snapshot-dir"]) await heapSnapshot("no subscribers");
    const rssBefore = rssKb(gateway.pid!);
    log(`gateway RSS before subscribers: ${(rssBefore / 1024).toFixed(1)} MB`);

    const reports = new Map<ChildProcess, FromClient>();
    const ask = (child: ChildProcess, message: ToClient) => child.send(message);
    for (let i = 0; i < clientCount; i++) {
      const child = spawnWithFiles([SCRIPT, "--client"], process.env, true);
      child.on("message", (message: FromClient) => reports.set(child, message));
      clients.push(child);
    }
    const started = Date.now();
    clients.forEach((child, i) => {
      const count = Math.floor(subscribers / clientCount) + (i < subscribers % clientCount ? 1 : 0);
      ask(child, { cmd: "connect", url: `${baseUrl.replace(/^http/, "ws")}/graphql`, tokens: userTokens, count });
    });
    await waitUntil("every client process to connect its subscribers", () => clients.every((child) => reports.get(child)?.kind === "connected"), 600_000, 200);
    const failed = clients.reduce((sum, child) => sum + ((reports.get(child) as { failed: number }).failed ?? 0), 0);
    log(`${subscribers - failed} subscribers connected in ${((Date.now() - started) / 1000).toFixed(1)} s (${failed} failed)`);

    const collect = async () => {
      reports.clear();
      for (const child of clients) ask(child, { cmd: "report" });
      await waitUntil("client reports", () => clients.every((child) => reports.get(child)?.kind === "report"), 60_000);
      return clients.map((child) => reports.get(child) as Extract<FromClient, { kind: "report" }>);
    };
    // A subscription is live once it has received an event: write until every subscriber has one, then wait for every
    // warm-up event to arrive everywhere, so none of them is counted in the write phase.
    let warmUps = 0;
    await waitUntil(
      "every subscription to receive a first event",
      async () => {
        await capture(baseUrl, writerToken, fixture.payments[0]!);
        warmUps++;
        await sleep(500);
        return (await collect()).every((report) => report.perSubscriber.every((n) => n > 0));
      },
      600_000,
      0,
    );
    await waitUntil("every warm-up event to arrive", async () => (await collect()).every((report) => report.perSubscriber.every((n) => n >= warmUps)), 60_000, 500);
    await sleep(3000);
    const rssIdle = rssKb(gateway.pid!);
    const kbPerSubscriber = (rssIdle - rssBefore) / subscribers;
    log(`gateway RSS with ${subscribers} idle subscribers: ${(rssIdle / 1024).toFixed(1)} MB (${kbPerSubscriber.toFixed(1)} KB each)`);
    if (values["heap-snapshot-dir"]) await heapSnapshot(`${subscribers} idle subscribers`);

    for (const child of clients) ask(child, { cmd: "reset" });
    const total = Math.round(eventsPerSecond * seconds);
    const interval = 1000 / eventsPerSecond;
    const writes: Promise<void>[] = [];
    const cpuOf = () => ({ gateway: cpuMs(gateway.pid!), clients: clients.reduce((sum, child) => sum + cpuMs(child.pid!), 0) });
    const cpuStart = cpuOf();
    const writeStart = Date.now();
    for (let i = 0; i < total; i++) {
      const due = writeStart + i * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      writes.push(capture(baseUrl, writerToken, fixture.payments[i % fixture.payments.length]!));
    }
    await Promise.all(writes);
    log(`${total} captures written in ${((Date.now() - writeStart) / 1000).toFixed(1)} s`);
    let final: Extract<FromClient, { kind: "report" }>[] = [];
    await waitUntil(
      "every subscriber to receive every event",
      async () => {
        final = await collect();
        return final.every((report) => report.perSubscriber.every((n) => n >= total));
      },
      60_000,
      500,
    ).catch((error: Error) => log(error.message));
    const cpuEnd = cpuOf();
    const histogram = new Map<number, number>();
    for (const report of final) for (const [ms, n] of report.histogram) histogram.set(ms, (histogram.get(ms) ?? 0) + n);
    const received = final.reduce((sum, report) => sum + report.perSubscriber.reduce((a, b) => a + b, 0), 0);
    const short = final.reduce((sum, report) => sum + report.perSubscriber.filter((n) => n < total).length, 0);
    const p50 = percentile(histogram, 50);
    const p99 = percentile(histogram, 99);
    log(`received ${received} of ${total * subscribers} deliveries; ${short} subscribers short; errors ${final.reduce((s, r) => s + r.errors, 0)}`);
    log(`commit-to-receipt p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...histogram.keys())} ms`);
    // CPU per delivery over the write phase: what the gateway spends, and what the subscribers' processes (the load
    // generator, on the same machine) spend receiving. On a shared machine these move less than the latencies.
    const gatewayUsPerDelivery = received > 0 ? ((cpuEnd.gateway - cpuStart.gateway) * 1000) / received : null;
    const clientsUsPerDelivery = received > 0 ? ((cpuEnd.clients - cpuStart.clients) * 1000) / received : null;
    log(`CPU per delivery: gateway ${gatewayUsPerDelivery?.toFixed(1)} µs, subscriber processes ${clientsUsPerDelivery?.toFixed(1)} µs`);

    for (const child of clients) ask(child, { cmd: "exit" });
    await Promise.all(clients.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)))));

    // The relay alone: a burst of outbox rows no subscription concerns, committed at once, timed until all are numbered.
    let relayEventsPerSecond: number | null = null;
    if (!floor) {
      await sleep(1000);
      const burstStart = Date.now();
      await pool.query(
        `WITH rows AS (INSERT INTO "OutboxEvent" (type, "aggregateType", "aggregateId", payload)
           SELECT 'benchmark.BURST', 'Benchmark', gen_random_uuid(), '{}'::jsonb FROM generate_series(1, $1) RETURNING id)
         SELECT count(*), pg_notify('outbox_event', '') FROM rows`,
        [burst],
      );
      const committed = Date.now();
      await waitUntil(
        "the relay to number the burst",
        async () => (await pool.query(`SELECT 1 FROM "OutboxEvent" WHERE "deliverySeq" IS NULL LIMIT 1`)).rowCount === 0,
        300_000,
        10,
      );
      relayEventsPerSecond = burst / ((Date.now() - committed) / 1000);
      log(`relay numbered ${burst} events in ${((Date.now() - committed) / 1000).toFixed(2)} s (insert took ${committed - burstStart} ms)`);
    }

    console.log(
      JSON.stringify({
        s1_server: floor ? "floor" : "gateway",
        s1_subscribers: subscribers,
        s1_p50_ms: p50,
        s1_p99_ms: p99,
        s1_kb_per_subscriber: Math.round(kbPerSubscriber * 10) / 10,
        relay_events_per_s: relayEventsPerSecond === null ? null : Math.round(relayEventsPerSecond),
        s1_delivered: received,
        s1_expected: total * subscribers,
        s1_gateway_cpu_us_per_delivery: gatewayUsPerDelivery === null ? null : Math.round(gatewayUsPerDelivery * 10) / 10,
        s1_clients_cpu_us_per_delivery: clientsUsPerDelivery === null ? null : Math.round(clientsUsPerDelivery * 10) / 10,
      }),
    );
  } finally {
    stopAll();
    await new Promise((resolve) => (gateway.exitCode === null ? gateway.once("exit", resolve) : resolve(null)));
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * What the fault tests break and mend: a PostgreSQL server of their own (embedded, under .data/, on a port of
 * its own) that they stop and start, a redis-server of their own, and the gateway as a child process that they
 * kill. The shared PostgreSQL on 5432 and Redis on 6379 that other test runs use are never touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import net from "node:net";
import { freePort } from "../support/ports";
import path from "node:path";
import { projectRoot } from "../../src/config";
import { inject } from "vitest";
import { createDatabase, databaseUrlWithName, dropDatabase, withClient } from "../../src/db/admin";
import { startEmbeddedPostgres } from "../../src/db/embedded";
import type { Persona } from "../../src/seed";
import { TEST_ENCRYPTION_KEY } from "../support/constants";

import { expect } from "vitest";
import type { EventData } from "../events/support";
import { waitFor } from "../events/support";
import { uuidOf } from "../support/ids";

export { waitFor };

export { freePort };

export interface OwnPostgres {
  /** URL of this file's database, a clone of the run's seeded template. */
  url: string;
  /** Stops the run's server (fast shutdown: sessions are cut, as in a restart or failover). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Terminates the sessions of this file's database, never the server's others; returns how many. */
  terminateGatewaySessions(): Promise<number>;
  /** Drops this file's database. */
  destroy(): Promise<void>;
}

/** The run's own PostgreSQL (see global-setup.ts), started again if a previous file left it stopped. */
export async function ownPostgres(): Promise<OwnPostgres> {
  const dataDir = inject("faultsDataDir");
  const port = inject("faultsPort");
  const adminUrl = inject("faultsAdminUrl");
  const start = async () => {
    await startEmbeddedPostgres({ dataDir, port });
  };
  await start();
  const name = `portal_faults_${randomBytes(4).toString("hex")}`;
  await createDatabase(adminUrl, name, { template: inject("faultsTemplate") });
  return {
    url: databaseUrlWithName(adminUrl, name),
    stop: () => stopPostmaster(dataDir),
    start,
    terminateGatewaySessions: () =>
      withClient(adminUrl, async (client) => {
        const { rowCount } = await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
        return rowCount ?? 0;
      }),
    destroy: async () => {
      await start();
      await dropDatabase(adminUrl, name);
    },
  };
}

/**
 * SIGINT to the postmaster named in postmaster.pid: PostgreSQL's fast shutdown. Whichever process started the
 * server (the run's set-up, or a file that restarted it), this stops it.
 */
export async function stopPostmaster(dataDir: string): Promise<void> {
  const content = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => null);
  if (content === null) return;
  const pid = Number.parseInt(content, 10);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGINT");
  await waitFor(`PostgreSQL (pid ${pid}) to stop`, () => !alive(), 30_000);
}

export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server of this test's own on a free port, without persistence. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitForPort(port);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: async () => {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      running.kill("SIGTERM");
      await once(running, "exit");
    },
  };
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface GatewayProcess {
  url: string;
  /** The process's log lines (pino JSON), for diagnostics and assertions. */
  logs: string[];
  /** Set once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `node --import tsx src/server.ts` on `port`, as `npm start` runs it; resolves once /healthz answers. */
export async function spawnGateway(env: Record<string, string>, port: number): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: "127.0.0.1",
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DEV_LOGIN: "true",
      SEED_DEMO_DATA: "false",
      // Killed and restarted many times: no dashboard builds in the background.
      DASHBOARD_AUTO_BUILD: "false",
      LOG_LEVEL: "info",
      // These tests break the database and the process, not the budgets: a write load from one address must
      // not turn into 429s (the rate limits have tests of their own).
      RATE_LIMIT_PER_MINUTE: "1000000",
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "1000000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = `http://127.0.0.1:${port}`;
  const gateway: GatewayProcess = {
    url,
    logs: [],
    exit: null,
    kill: async (signal) => {
      if (gateway.exit) return;
      child.kill(signal);
      await once(child, "exit");
    },
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => gateway.logs.push(...chunk.split("\n").filter(Boolean)));
  }
  child.on("exit", (code, signal) => {
    gateway.exit = { code, signal };
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (gateway.exit) throw new Error(`The gateway exited during start-up (${JSON.stringify(gateway.exit)}):\n${gateway.logs.join("\n")}`);
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return gateway;
    if (Date.now() > deadline) throw new Error(`The gateway did not start:\n${gateway.logs.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function readyz(url: string): Promise<{ status: number; checks: Record<string, { ok: boolean }> }> {
  try {
    const response = await fetch(`${url}/readyz`);
    return { status: response.status, checks: ((await response.json()) as { checks: Record<string, { ok: boolean }> }).checks };
  } catch {
    return { status: 0, checks: {} };
  }
}

export async function loginAs(url: string, key: string): Promise<string> {
  const personas = JSON.parse(inject("faultsPersonasJson")) as Persona[];
  const persona = personas.find((p) => p.key === key)!;
  const response = await fetch(`${url}/auth/dev/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nin: persona.nin, method: persona.method }),
  });
  if (!response.ok) throw new Error(`Login as ${key} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/**
 * What a subscriber must have received of a write load: every confirmed capture once (no duplicate event id), and
 * per payment in the order they happened (captured 1, 2, 3… without a gap or repeat). `events` is a function so the
 * wait sees what arrives meanwhile.
 */
export async function expectEveryCaptureOnceInOrder(events: () => EventData[], paymentIds: Set<string>, confirmed: Map<string, number>): Promise<void> {
  const total = [...confirmed.values()].reduce((sum, n) => sum + n, 0);
  await waitFor("every committed event at the subscriber", () => events().length >= total, 30_000);
  const received = events();
  expect(new Set(received.map((event) => event.id)).size).toBe(received.length);
  expect(received).toHaveLength(total);
  for (const id of paymentIds) {
    const amounts = received.filter((event) => uuidOf(event.transaction.id) === id).map((event) => event.transaction.capturedAmount);
    expect(amounts).toEqual(amounts.map((_, i) => i + 1));
  }
}

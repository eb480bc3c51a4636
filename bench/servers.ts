/**
 * The processes of a benchmark run, each started apart from the harness: the counting proxy, the gateway in
 * production mode, PostGraphile, the floor and the load generator. Every one is stopped by its own pid.
 */
import { randomBytes } from "node:crypto";
import { execFile, fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../src/config";
import type { LoadResult, LoadSpec } from "./load";
import type { StatementCounts } from "./pg-proxy";

const benchDir = path.join(projectRoot, "bench");
/** PostGraphile 4 brings graphql 15; it lives in a package of its own so the gateway's graphql 16 never meets it. */
export const postgraphileDir = path.join(benchDir, "postgraphile");
const TSX = ["--import", "tsx"];
const READY_TIMEOUT_MS = 120_000;

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Keeps the last lines a child wrote, to explain a failed start. */
function tail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 30));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => lines.join("\n");
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode} before it answered:\n${output()}`);
    const ok = await fetch(url, init).then(
      (response) => response.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** Sends IPC requests to a forked child and matches answers by id. */
function ipc<Request, Answer>(child: ChildProcess) {
  let nextId = 0;
  const waiting = new Map<number, (answer: Answer & { error?: string }) => void>();
  child.on("message", (message: { id?: number } & Answer & { error?: string }) => {
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  return (request: Request) =>
    new Promise<Answer>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (answer) => {
        waiting.delete(id);
        if (answer.error) reject(new Error(answer.error));
        else resolve(answer);
      });
      child.send({ ...request, id });
    });
}

function forkReady<T>(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(path.join(benchDir, file), args, { execArgv: TSX, env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (ready: T) => resolve({ child, ready }));
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code} during start-up`)));
  });
}

export interface CountingProxies extends Stoppable {
  ports: Record<string, number>;
  counts(): Promise<Record<string, StatementCounts>>;
}

export async function startProxies(target: { host: string; port: number }, names: string[]): Promise<CountingProxies> {
  const { child, ready } = await forkReady<{ ports: Record<string, number> }>("pg-proxy.ts", names, {
    ...process.env,
    TARGET_HOST: target.host,
    TARGET_PORT: String(target.port),
  });
  const ask = ipc<{ type: "counts" }, { counts: Record<string, StatementCounts> }>(child);
  return { name: "counting proxy", ports: ready.ports, counts: async () => (await ask({ type: "counts" })).counts, stop: () => stopProcess(child) };
}

export interface LoadGenerator extends Stoppable {
  run(spec: LoadSpec): Promise<LoadResult>;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const { child } = await forkReady<{ ready: true }>("load.ts", []);
  const ask = ipc<{ spec: LoadSpec }, { result: LoadResult }>(child);
  return { name: "load generator", run: async (spec) => (await ask({ spec })).result, stop: () => stopProcess(child) };
}

export interface HttpServer extends Stoppable {
  url: string;
  /** The gateways: the bearer token of their GET /metrics (event-loop delay and GC time around each load). */
  metricsToken?: string;
}

export interface GatewaySettings {
  databaseUrl: string;
  encryptionKey: string;
  signingKeyPem: string;
  /** The checkout to run (default: this one); `--baseline` runs another one's code side by side. */
  root?: string;
  name?: string;
  /** More environment for this gateway (`--baseline-env`: the same code under another setting). */
  env?: Record<string, string>;
}

/** `npm start` as production runs it, with the relay off: numbering outbox rows is the live feed's cost (S1), not a request's. */
export async function startGatewayProcess(settings: GatewaySettings): Promise<HttpServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const root = settings.root ?? projectRoot;
  // BENCH_PROFILE_DIR: each gateway (and baseline) writes its V8 CPU profile there when it is stopped.
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", "--cpu-prof-dir", path.join(process.env.BENCH_PROFILE_DIR, settings.name ?? "gateway")] : [];
  const metricsToken = randomBytes(16).toString("hex");
  const child = spawn(process.execPath, [...profile, ...TSX, path.join(root, "src", "server.ts")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      DATABASE_URL: settings.databaseUrl,
      ENCRYPTION_KEY: settings.encryptionKey,
      JWT_SIGNING_KEY: settings.signingKeyPem,
      PUBLIC_BASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      METRICS_TOKEN: metricsToken,
      OUTBOX_RELAY: "false",
      OUTBOX_POLL_INTERVAL_MS: "3600000",
      // 32 connections from one address are the point of the benchmark, not an abuse to throttle.
      RATE_LIMIT_PER_MINUTE: "100000000",
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000000",
      ...settings.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = tail(child);
  child.stderr.pipe(process.stderr);
  await waitForHttp(`${url}/healthz`, child, output);
  return { name: settings.name ?? "gateway", url, metricsToken, stop: () => stopProcess(child) };
}

export function postgraphileVersion(): string {
  const manifest = path.join(postgraphileDir, "node_modules", "postgraphile", "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Installs the PostGraphile package from its lockfile on first use (npm registry only). */
export async function ensurePostgraphileInstalled(log: (message: string) => void): Promise<void> {
  if (existsSync(path.join(postgraphileDir, "node_modules", ".bin", "postgraphile"))) return;
  log("Installing PostGraphile 4 into bench/postgraphile (npm ci, once)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  await promisify(execFile)(npm, ["ci", "--no-audit", "--no-fund"], { cwd: postgraphileDir });
}

/** PostGraphile 4 as its CLI serves it, with the connection-filter plugin for the period condition of Q1. */
export async function startPostgraphile(databaseUrl: string, poolSize: number): Promise<HttpServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = path.join(postgraphileDir, "node_modules", "postgraphile", "cli.js");
  const child = spawn(
    process.execPath,
    [cli, "-c", databaseUrl, "-s", "public", "-n", "127.0.0.1", "-p", String(port), "--max-pool-size", String(poolSize), "--append-plugins", "postgraphile-plugin-connection-filter", "--disable-query-log"],
    { cwd: postgraphileDir, env: { PATH: process.env.PATH, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = tail(child);
  await waitForHttp(`${url}/graphql`, child, output, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{__typename}"}' });
  return { name: "PostGraphile", url, stop: () => stopProcess(child) };
}

export async function startFloor(databaseUrl: string, poolSize: number): Promise<HttpServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...TSX, path.join(benchDir, "floor.ts")], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, PORT: String(port), POOL_SIZE: String(poolSize) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = tail(child);
  await waitForHttp(`${url}/healthz`, child, output);
  return { name: "floor", url, stop: () => stopProcess(child) };
}

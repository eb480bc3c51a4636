/**
 * What the abuse benchmark and the soak share: a demo-seeded database of their own, the gateway as `npm start`
 * runs it in a process of its own, and HTTP clients bound to a local address of their own (127.0.0.0/8), so the
 * gateway sees each as a separate client address.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { projectRoot } from "../src/config";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../src/db/admin";
import { createPrisma } from "../src/db/client";
import { localOrEmbeddedPostgres } from "../src/db/embedded";
import { applyMigrations } from "../src/db/migrate";
import { seedDemoData, type Persona } from "../src/seed";
import { freePort } from "./servers";

export const log = (message: string) => process.stderr.write(`${message}\n`);

export interface Answer {
  status: number;
  body: string;
}

/** A keep-alive HTTP client bound to one local address. */
export function client(localAddress: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4, localAddress });
  return {
    request(base: string, method: string, pathname: string, body: string | null, headers: Record<string, string> = {}): Promise<Answer> {
      return new Promise((resolve) => {
        const request = http.request(`${base}${pathname}`, { method, agent, headers: { "content-type": "application/json", ...headers } }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          response.on("error", () => resolve({ status: 0, body: "" }));
        });
        request.on("error", () => resolve({ status: 0, body: "" }));
        request.end(body ?? undefined);
      });
    },
    graphql(base: string, token: string | null, query: string, variables: Record<string, unknown> = {}) {
      return this.request(base, "POST", "/graphql", JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {});
    },
    close: () => agent.destroy(),
  };
}

export type Client = ReturnType<typeof client>;

export interface DemoGateway {
  url: string;
  child: ChildProcess;
  personas: Persona[];
  persona(key: string): Persona;
  login(key: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A fresh demo-seeded database named `database` on the local (or embedded) PostgreSQL and the gateway on it, with
 * `env` on top of the defaults (limits as shipped). `stop` ends the gateway and drops the database.
 */
export async function startDemoGateway(database: string, env: Record<string, string> = {}): Promise<DemoGateway> {
  const postgres = await localOrEmbeddedPostgres(path.join(projectRoot, ".data", "bench-postgres"), 54331, log);
  const databaseUrl = databaseUrlWithName(postgres.adminUrl, database);
  log(`Creating ${database} with the demo seed`);
  await dropDatabase(postgres.adminUrl, database);
  await createDatabase(postgres.adminUrl, database);
  await applyMigrations(databaseUrl);
  const encryptionKey = randomBytes(32);
  const prisma = createPrisma(databaseUrl);
  const personas = await seedDemoData(prisma, { encryptionKey }).finally(() => prisma.$disconnect());
  const persona = (key: string) => {
    const found = personas.find((p) => p.key === key);
    if (!found) throw new Error(`No persona ${key}`);
    return found;
  };

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "src", "server.ts")], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: encryptionKey.toString("base64"),
      PORT: String(port),
      // Clients bind local addresses of their own on 127.0.0.0/8 and connect here: one client address each.
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DEV_LOGIN: "true",
      SEED_DEMO_DATA: "false",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    await dropDatabase(postgres.adminUrl, database).catch(() => {});
    await postgres.stop();
  };
  for (const deadline = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error("The gateway did not start");
    }
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const loginClient = client("127.0.0.3");
  return {
    url,
    child,
    personas,
    persona,
    stop,
    async login(key) {
      const p = persona(key);
      const answer = await loginClient.request(url, "POST", "/auth/dev/login", JSON.stringify({ nin: p.nin, method: p.method }));
      if (answer.status !== 200) throw new Error(`Login as ${key} failed: ${answer.status} ${answer.body}`);
      return (JSON.parse(answer.body) as { accessToken: string }).accessToken;
    },
  };
}

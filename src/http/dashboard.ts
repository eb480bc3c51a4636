/**
 * The reference dashboard (dashboard/, Vite + Preact) served as static files under /dashboard, with a single-page
 * fallback: any path below /dashboard that is not a built file answers index.html, so the app's own routes survive a
 * reload. Built files come from dashboard/dist; `ensureDashboardBuilt` (re)builds it when missing or stale.
 *
 * Also GET /auth/dev/personas where the development login is enabled: the demo personas the dashboard's login
 * picker offers (portal users and the operator; never partner credentials).
 */
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { projectRoot } from "../config";
import type { Services } from "../deps";
import type { Persona } from "../seed";
import { json, type RouteHandler } from "./routes";

export const DASHBOARD_DIR = path.join(projectRoot, "dashboard");
export const DASHBOARD_DIST = path.join(DASHBOARD_DIR, "dist");

/** Written into the build: the hash of every input it was built from. */
const INPUTS_HASH_FILE = ".inputs-hash";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** Everything the page needs comes from this origin: the bundle, the API and its WebSocket. */
function contentSecurityPolicy(url: URL): string {
  const ws = `${url.protocol === "https:" ? "wss" : "ws"}://${url.host}`;
  return `default-src 'self'; connect-src 'self' ${ws}; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

/**
 * The built file a path below /dashboard names, or null for a path that could leave the build folder. The segments
 * come URL-decoded, so one may hold a `/` (`x%2F..%2F..`): a separator inside a segment is refused, and whatever
 * passes must still resolve inside the build folder.
 */
export function dashboardFile(segments: string[]): string | null {
  if (segments.some((s) => s === "" || s.startsWith(".") || /[/\\\0]/.test(s))) return null;
  const file = path.resolve(DASHBOARD_DIST, ...segments);
  const inside = path.relative(DASHBOARD_DIST, file);
  return inside === "" || inside.startsWith("..") || path.isAbsolute(inside) ? null : file;
}

function serveFile(file: string, url: URL): Response {
  const extension = path.extname(file);
  const html = extension === ".html";
  return new Response(readFileSync(file), {
    headers: {
      "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream",
      // Vite puts a content hash in every asset name; index.html names the current ones, so it is never cached.
      "cache-control": html ? "no-cache" : file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "public, max-age=300",
      "x-content-type-options": "nosniff",
      ...(html ? { "content-security-policy": contentSecurityPolicy(url), "referrer-policy": "no-referrer" } : {}),
    },
  });
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

const serve: RouteHandler = (_request, url, params) => {
  const index = path.join(DASHBOARD_DIST, "index.html");
  if (!isFile(index)) {
    return new Response("The dashboard is not built yet: `npm start` builds it in the background (or run `npm run dashboard:build`); reload in a moment.", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "5" },
    });
  }
  const segments = Object.keys(params)
    .sort()
    .map((k) => params[k]!);
  if (segments.length === 0) return serveFile(index, url);
  const file = dashboardFile(segments);
  if (file && isFile(file)) return serveFile(file, url);
  // A missing asset is a 404; anything else is one of the app's own routes.
  if (segments[segments.length - 1]!.includes(".")) return new Response("Not found", { status: 404 });
  return serveFile(index, url);
};

/** Demo personas for the login picker: who they are and how they log in, nothing secret. */
async function personasForPicker(personasPath: string): Promise<unknown[]> {
  const raw = await readFile(personasPath, "utf8").catch(() => "[]");
  const personas = JSON.parse(raw) as Persona[];
  return personas
    .filter((p) => p.operator || (p.nin && p.method))
    .map((p) => ({ key: p.key, description: p.description, name: p.name, nin: p.nin, method: p.method, ...(p.operator ? { operator: true } : {}) }));
}

export function dashboardRoutes(services: Pick<Services, "config">): Record<string, RouteHandler> {
  const routes: Record<string, RouteHandler> = {
    "GET /dashboard": serve,
    "GET /dashboard/": serve,
    // Patterns take one segment per `:name`: params are named so that their sorted order is the path's.
    "GET /dashboard/:a": serve,
    "GET /dashboard/:a/:b": serve,
    "GET /dashboard/:a/:b/:c": serve,
    "GET /dashboard/:a/:b/:c/:d": serve,
  };
  if (services.config.devLogin && services.config.personasPath) {
    const personasPath = services.config.personasPath;
    routes["GET /auth/dev/personas"] = async () => json(await personasForPicker(personasPath), 200, { "cache-control": "no-store" });
  }
  return routes;
}

/** Files the build reads besides node_modules: the app, its typed operations and the schema they are typed by. */
function buildInputs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "generated" || entry.name === "dist" ? [] : walk(full);
      return [full];
    });
  return [
    ...walk(path.join(DASHBOARD_DIR, "src")),
    path.join(DASHBOARD_DIR, "index.html"),
    path.join(DASHBOARD_DIR, "vite.config.ts"),
    ...walk(path.join(projectRoot, "client")).filter((f) => f.endsWith(".graphql")),
    path.join(projectRoot, "schema.graphql"),
    path.join(projectRoot, "codegen.ts"),
    path.join(projectRoot, "package-lock.json"),
  ]
    .filter((f) => existsSync(f))
    .sort();
}

export function dashboardInputsHash(): string {
  const hash = createHash("sha256");
  for (const file of buildInputs()) hash.update(path.relative(projectRoot, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

export function dashboardIsFresh(): boolean {
  try {
    return readFileSync(path.join(DASHBOARD_DIST, INPUTS_HASH_FILE), "utf8").trim() === dashboardInputsHash();
  } catch {
    return false;
  }
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) return resolve();
      log(output.trim());
      reject(new Error(`${command} ${args.join(" ")} exited with ${code}`));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One build at a time per checkout (a gateway starting while tests build, two test files): a lock file with the builder's pid. */
async function withBuildLock<T>(build: () => Promise<T>): Promise<T> {
  const lock = path.join(DASHBOARD_DIR, ".build.lock");
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lock, "utf8").trim() || "0");
      // A builder that died left its lock behind.
      if (owner && !alive(owner)) rmSync(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await build();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Builds the dashboard when dashboard/dist is missing or was built from other inputs: `graphql-codegen` (the typed
 * client), then `vite build` into a fresh folder that replaces dist at once, so a gateway serving the old build
 * never reads a half-written one. Needs the development dependencies (vite, the code generator).
 */
export async function ensureDashboardBuilt(log: (line: string) => void, options: { force?: boolean } = {}): Promise<"fresh" | "built"> {
  if (!options.force && dashboardIsFresh()) return "fresh";
  // Whoever held the lock may have built it meanwhile.
  return withBuildLock(async () => (!options.force && dashboardIsFresh() ? "fresh" : build(log)));
}

async function build(log: (line: string) => void): Promise<"built"> {
  const hash = dashboardInputsHash();
  const staging = path.join(DASHBOARD_DIR, `.dist-${process.pid}-${Date.now()}`);
  log("Building the dashboard (graphql-codegen, vite build)…");
  try {
    await run("npx", ["--no-install", "graphql-codegen", "--config", "codegen.ts", "--silent"], log);
    await run("npx", ["--no-install", "vite", "build", "--config", "dashboard/vite.config.ts", "--outDir", staging], log);
    await writeFile(path.join(staging, INPUTS_HASH_FILE), `${hash}\n`);
    await rm(DASHBOARD_DIST, { recursive: true, force: true });
    await rename(staging, DASHBOARD_DIST);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log(`Dashboard built into ${path.relative(projectRoot, DASHBOARD_DIST)}`);
  return "built";
}

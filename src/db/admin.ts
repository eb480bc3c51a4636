import pg from "pg";

const DUPLICATE_DATABASE = "42P04";

/** Where the data layer reports what it does at start-up (creating a cluster, applying migrations, seeding). */
export type Log = (message: string) => void;

/**
 * Runs `fn` on a client of its own and always closes it, so admin work never holds pool slots or leaks. A session
 * that dies meanwhile fails the query in progress or the next one; its 'error' event must not also end the process.
 */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Holds a session-level advisory lock on a connection of its own for the duration of `fn`. */
export async function withAdvisoryLock<T>(url: string, key: number, fn: () => Promise<T>): Promise<T> {
  return withClient(url, async (client) => {
    await client.query("SELECT pg_advisory_lock($1)", [key]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [key]);
    }
  });
}

/** The same server and credentials as `url`, pointing at database `name`. */
export function databaseUrlWithName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

export async function createDatabase(adminUrl: string, name: string, options: { template?: string } = {}): Promise<void> {
  const template = options.template ? ` TEMPLATE ${pg.escapeIdentifier(options.template)}` : "";
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template}`));
}

/** Creates the database unless it exists; tolerates another process creating it at the same moment. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const exists = await withClient(adminUrl, async (client) => {
    const result = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return result.rowCount === 1;
  });
  if (exists) return;
  await createDatabase(adminUrl, name).catch((error: unknown) => {
    if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
  });
}

/** `WITH (FORCE)` (PostgreSQL 13+) terminates the database's sessions first, so idle pools left open cannot block the drop. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

export async function isReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

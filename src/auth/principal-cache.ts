/**
 * Remembers each token's principal and access between requests, so a request costs no statement for them. A cached
 * principal is only used while it is certainly current:
 * - every change to memberships, users, partners, partner keys, sales units, API keys or operators sends a NOTIFY at
 *   commit (a trigger, see the migration `access_change_notifications`), on which every instance drops its cache;
 * - a mutation through this instance drops it too, before its answer goes out, so the caller's next request never
 *   sees its own change late;
 * - while the LISTEN connection is down (and until it is back and listening) nothing is cached;
 * - an entry read before a change is never stored after it (each load remembers the generation it started in).
 * Entries also expire with their token and after `ttlMs`, and the cache holds at most `maxEntries`.
 */
import pg from "pg";
import type { Logger } from "pino";
import type { Authenticated } from "./principal";

const CHANNEL = "portal_access_changed";

interface Entry {
  value: Authenticated;
  generation: number;
  storedAt: number;
}

export interface PrincipalCacheOptions {
  databaseUrl: string;
  logger: Logger;
  ttlMs?: number;
  maxEntries?: number;
  reconnectMs?: number;
}

export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private listening = false;
  private stopped = false;
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: PrincipalCacheOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  async start(): Promise<void> {
    await this.listen();
  }

  /** The cached principal for `key`, or `load()`'s, stored when it is safe to. */
  async get(key: string, load: () => Promise<Authenticated>): Promise<Authenticated> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && this.listening && hit.generation === this.generation && now - hit.storedAt < this.ttlMs && hit.value.principal.expiresAt.getTime() > now) {
      return hit.value;
    }
    const generation = this.generation;
    const value = await load();
    if (this.listening && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(key);
      this.entries.set(key, { value, generation, storedAt: now });
    }
    return value;
  }

  /** Something may have changed who reaches what: forget everything. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listening = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    let dropped = false;
    const drop = (error?: unknown) => {
      if (dropped) return;
      dropped = true;
      this.listening = false;
      this.invalidate();
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.logger.warn({ err: error }, "Principal cache lost its LISTEN connection; caching nothing until it is back");
      this.reconnectTimer = setTimeout(() => void this.listen(), this.options.reconnectMs ?? 1000);
      this.reconnectTimer.unref();
    };
    client.on("notification", () => this.invalidate());
    client.on("error", (error) => drop(error));
    client.on("end", () => drop());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Whatever changed while nobody listened was announced to no one.
    this.invalidate();
    this.listening = true;
  }
}

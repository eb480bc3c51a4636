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
import { Kind, type OperationDefinitionNode } from "graphql";
import type { Logger } from "pino";
import type { Authenticated } from "./principal";
import { keepListening } from "../db/listen";

const CHANNEL = "portal_access_changed";

/**
 * Mutations that move money on payments change nobody's access: they write payments, their history, the outbox, the
 * audit trail, idempotency records and a single-use link's `active` flag, none of which a principal is made of.
 */
const MONEY_MUTATIONS = new Set(["requestPayment", "captureTransaction", "cancelTransaction", "refundTransaction", "simulateCustomerAction"]);

/** True when every root selection is a plain field among the money mutations (fragments at the root count as others). */
export function onlyMoneyMutations(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && (selection.name.value === "__typename" || MONEY_MUTATIONS.has(selection.name.value)));
}

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
  /** True while the LISTEN connection is up: only then is anything cached. */
  private live = false;
  private listening: { stop(): Promise<void> } | null = null;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: PrincipalCacheOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  start(): void {
    this.listening = keepListening({
      databaseUrl: this.options.databaseUrl,
      channel: CHANNEL,
      reconnectMs: this.options.reconnectMs ?? 1000,
      onNotification: () => this.invalidate(),
      // Whatever changed while nobody listened was announced to no one.
      onListening: () => {
        this.invalidate();
        this.live = true;
      },
      onLost: (error, wasListening) => {
        this.live = false;
        this.invalidate();
        if (wasListening) this.options.logger.warn({ err: error }, "Principal cache lost its LISTEN connection; caching nothing until it is back");
      },
    });
  }

  /** The cached principal for `key`, or `load()`'s, stored when it is safe to. */
  async get(key: string, load: () => Promise<Authenticated>): Promise<Authenticated> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && this.live && hit.generation === this.generation && now - hit.storedAt < this.ttlMs && hit.value.principal.expiresAt.getTime() > now) {
      return hit.value;
    }
    const generation = this.generation;
    const value = await load();
    if (this.live && generation === this.generation) {
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
    this.live = false;
    await this.listening?.stop();
  }
}

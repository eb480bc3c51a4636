import { createHash } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { createPool } from "./pools";
import { Prisma, PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;

/** The client handed to a `$transaction` callback. */
export type Tx = Prisma.TransactionClient;

export interface DbOptions {
  /** Called with every SQL statement Prisma sends; tests use it to pin the statement count per operation. */
  onQuery?: (sql: string) => void;
  poolSize?: number;
}

/** The pg pool behind each Prisma client made here, for pool metrics and `directQueries`. */
const pools = new WeakMap<PrismaClient, pg.Pool>();
/** The statement log of each Prisma client made with one (DbOptions.onQuery), for `directQueries`. */
const queryLogs = new WeakMap<PrismaClient, (sql: string) => void>();

/**
 * Prisma's pg adapter sends the statements of one interactive transaction that it can run together (a row and its
 * relations) on the transaction's one connection without waiting for each other; pg queues them, but that queue is
 * deprecated (pg prints "client.query() when the client is already executing a query", and pg 9 will refuse). The
 * statements of one connection are queued here instead, in the same order, so pg never sees two at once.
 * Callback and stream (submittable) queries pass through: Prisma sends neither, pg's pool.query uses the callback.
 */
function queueQueries(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let tail: Promise<unknown> = Promise.resolve();
  client.query = ((...args: unknown[]) => {
    const first = args[0] as { submit?: unknown } | undefined;
    if (typeof args.at(-1) === "function" || typeof first?.submit === "function") return query(...args);
    const run = tail.then(() => query(...args));
    tail = run.catch(() => undefined);
    return run;
  }) as typeof client.query;
}

export function createPrisma(databaseUrl: string, options: DbOptions = {}): PrismaClient {
  // The pool is made here (and ended with the client) so its usage can be reported.
  const pool = createPool("prisma", { connectionString: databaseUrl, max: options.poolSize ?? 10 });
  pool.on("connect", queueQueries);
  // pg emits 'error' on the pool when an idle client's session dies, and an 'error' nobody listens to ends the
  // process. Prisma's adapter listens only while it is connected; this listener covers the pool for its whole life.
  pool.on("error", () => undefined);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const prisma = options.onQuery ? withQueryLog(new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] }), options.onQuery) : new PrismaClient({ adapter });
  pools.set(prisma, pool);
  if (options.onQuery) queryLogs.set(prisma, options.onQuery);
  return prisma;
}

function withQueryLog(prisma: PrismaClient<"query">, onQuery: (sql: string) => void): PrismaClient {
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma as unknown as PrismaClient;
}

/** The pg pool of a client from createPrisma. */
export function poolOf(db: PrismaClient): pg.Pool | undefined {
  return pools.get(db);
}

/** Distinct compiled statement texts prepared per connection (each connection keeps them as long as it lives). */
const MAX_PREPARED_STATEMENTS = 200;

/**
 * A name per statement text, to prepare it once per connection; beyond `limit` texts, statements run unprepared.
 * `renew` gives a text a new name, which every connection prepares afresh.
 */
function statementNames(prefix: string, limit: number) {
  const names = new Map<string, string>();
  const generations = new Map<string, number>();
  const hashed = (text: string, generation: number) => `${prefix}_${createHash("sha1").update(text).digest("base64url")}${generation ? `.${generation}` : ""}`;
  return {
    nameOf(text: string): string | undefined {
      const known = names.get(text);
      if (known || names.size >= limit) return known;
      const name = hashed(text, 0);
      names.set(text, name);
      return name;
    },
    renew(text: string): void {
      if (!names.has(text)) return;
      const generation = (generations.get(text) ?? 0) + 1;
      generations.set(text, generation);
      names.set(text, hashed(text, generation));
    },
  };
}

/** PostgreSQL refuses a prepared statement whose result's columns a migration changed (`SELECT t.*` after a new column). */
const CACHED_PLAN_CHANGED = "0A000";

/** `timestamp` (without zone) columns hold UTC wall-clock time, as Prisma writes and reads them. */
const UTC_TIMESTAMPS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.TIMESTAMP
      ? (text: string) => new Date(`${text.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

export type RawQueries = Pick<Tx, "$queryRaw">;
const direct = new WeakMap<PrismaClient, RawQueries>();

/**
 * The client's `$queryRaw` without Prisma's query pipeline, for the statements of the money path that run outside a
 * database transaction (src/services/transactions.ts, the optimistic way): the same SQL on the same pool through pg,
 * each text prepared once per connection. For a capture, Prisma's client runtime around its two statements was a
 * sixth of the gateway's CPU. Rows arrive as Prisma's raw queries give them for the types those statements read
 * (int4, text, uuid and enums as strings, json parsed, booleans, timestamp(3) as UTC instants); int8 arrives as text,
 * which its callers convert. Errors are pg's (`sqlStateOf` reads both kinds). Clients not made by createPrisma keep
 * their own `$queryRaw`.
 */
export function directQueries(db: PrismaClient): RawQueries {
  const known = direct.get(db);
  if (known) return known;
  const pool = pools.get(db);
  if (!pool) return db;
  const onQuery = queryLogs.get(db);
  const names = statementNames("money", MAX_PREPARED_STATEMENTS);
  const run = async (sql: Prisma.Sql, retry: boolean): Promise<unknown[]> => {
    onQuery?.(sql.text);
    const name = names.nameOf(sql.text);
    try {
      return (await pool.query({ text: sql.text, values: sql.values, types: UTC_TIMESTAMPS, ...(name ? { name } : {}) })).rows;
    } catch (error) {
      // A failed statement wrote nothing (one statement is atomic): prepared again under a new name, it runs once more.
      if (!retry || !name || !(error instanceof pg.DatabaseError) || error.code !== CACHED_PLAN_CHANGED) throw error;
      names.renew(sql.text);
      return run(sql, false);
    }
  };
  const queries = {
    $queryRaw: ((query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      run(query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values), true)) as unknown as RawQueries["$queryRaw"],
  };
  direct.set(db, queries);
  return queries;
}

/**
 * A pool of its own for the compiled read path (src/sql/): its statements answer one text value each, which goes
 * into the response without being parsed.
 */
export function createSqlRunner(databaseUrl: string, logger: Logger, onQuery?: (sql: string) => void, poolSize = 10) {
  // Generic plans: a compiled statement's shape already says which index to walk (the filter's equalities, the page's
  // order and LIMIT), and planning it afresh for each request's values cost more than running it (Q1: 3.2 ms of
  // planning for 1.2 ms of execution); PostgreSQL's own choice kept re-planning the statements with `= ANY` arrays.
  const pool = createPool("compiled-read", { connectionString: databaseUrl, max: poolSize, options: "-c plan_cache_mode=force_generic_plan" }, (error, name) =>
    logger.warn({ err: error, pool: name }, "A database session failed outside any query"),
  );
  pool.on("error", (error) => logger.warn({ err: error }, "An idle read connection failed"));
  // Planning a compiled statement costs about as much as running it, and the same few shapes come back all the time:
  // they are prepared by name on each connection. The number of names is bounded, since every connection keeps its
  // prepared statements for good; shapes beyond the bound run unprepared.
  const { nameOf } = statementNames("compiled", MAX_PREPARED_STATEMENTS);
  return {
    async queryText(text: string, values: unknown[]): Promise<string> {
      onQuery?.(text);
      const name = nameOf(text);
      const result = await pool.query<{ data: string }>(name ? { name, text, values } : { text, values });
      return result.rows[0]!.data;
    },
    pool,
    end: () => pool.end(),
  };
}

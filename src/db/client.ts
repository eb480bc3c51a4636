import pg from "pg";
import type { Logger } from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export type Db = PrismaClient;

/** The client handed to a `$transaction` callback. */
export type Tx = Prisma.TransactionClient;

export interface DbOptions {
  /** Called with every SQL statement Prisma sends; tests use it to pin the statement count per operation. */
  onQuery?: (sql: string) => void;
  poolSize?: number;
}

export function createPrisma(databaseUrl: string, options: DbOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  const onQuery = options.onQuery;
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma;
}

/**
 * A pool of its own for the compiled read path (src/sql/): its statements answer one text value each, which goes
 * into the response without being parsed.
 */
export function createSqlRunner(databaseUrl: string, logger: Logger, onQuery?: (sql: string) => void, poolSize = 10) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  pool.on("error", (error) => logger.warn({ err: error }, "An idle read connection failed"));
  return {
    async queryText(text: string, values: unknown[]): Promise<string> {
      onQuery?.(text);
      const result = await pool.query<{ data: string }>(text, values);
      return result.rows[0]!.data;
    },
    end: () => pool.end(),
  };
}

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

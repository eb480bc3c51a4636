import pg from "pg";
import { Prisma } from "../generated/prisma/client";

/** A unique constraint refused the write (Prisma's P2002): the row it would have made exists already. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** SQLSTATEs the services tell apart. */
export const SQLSTATE = { uniqueViolation: "23505", serializationFailure: "40001", deadlockDetected: "40P01" } as const;

/**
 * The SQLSTATE of a failed statement: pg's own for statements run on it directly, what Prisma's pg adapter passes on
 * for raw SQL (P2010), and the two codes Prisma gives its own queries for a unique violation (P2002) and a write
 * conflict (P2034).
 */
export function sqlStateOf(error: unknown): string | undefined {
  // Statements run on pg directly (directQueries in ./client.ts) fail with pg's own error.
  if (error instanceof pg.DatabaseError) return error.code;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  if (error.code === "P2002") return SQLSTATE.uniqueViolation;
  if (error.code === "P2034") return SQLSTATE.serializationFailure;
  const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause;
  return typeof cause?.originalCode === "string" ? cause.originalCode : undefined;
}

/** Prisma's codes for "could not reach or lost the server" and "no connection free in time". */
const PRISMA_UNAVAILABLE = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** What @prisma/adapter-pg calls a socket that failed. */
const ADAPTER_UNAVAILABLE = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const SOCKET_UNAVAILABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
/** SQLSTATEs of a session the server ended or would not start: admin/crash shutdown, starting up, too many clients. */
const SQLSTATE_UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300"]);
/** pg reports a dead socket or a pool that could not connect in time only in words. */
const PG_UNAVAILABLE = /Connection terminated|not queryable|Client was closed|timeout exceeded when trying to connect/;

/**
 * Whether `error` says the database is out of reach for the moment (restart, failover, a terminated session, a
 * full pool), as opposed to a query that is wrong: callers answer 503 and the client may simply retry. Follows
 * GraphQL's `originalError`, `cause` and Prisma's `meta.driverAdapterError`, whose shapes differ by call site.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof Prisma.PrismaClientInitializationError) return true;
    const { code, kind, message, originalError, cause, meta } = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      originalError?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    if (typeof code === "string") {
      if (PRISMA_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code) || SQLSTATE_UNAVAILABLE.has(code) || code.startsWith("08")) return true;
    }
    if (typeof kind === "string" && ADAPTER_UNAVAILABLE.has(kind)) return true;
    if (typeof message === "string" && PG_UNAVAILABLE.test(message) && !(current instanceof Prisma.PrismaClientValidationError)) return true;
    pending.push(originalError, cause, meta?.driverAdapterError);
  }
  return false;
}

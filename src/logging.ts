/**
 * Structured logs (pino, JSON lines): every line written while a request or WebSocket operation runs carries its
 * `requestId`, through AsyncLocalStorage, so lines from Yoga, resolvers, services and the database layer of one
 * request can be found together, and the id matches the audit rows it wrote.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { pino, type DestinationStream, type Logger } from "pino";
import type { Config } from "./config";
import { redactingLoggerOptions } from "./log-redaction";

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** A client's own id is kept when it is a plain token; anything else could forge log lines or flood them. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The client's `x-request-id` when it is usable, else a fresh id. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Runs `fn` with `requestId` on every log line it writes, however deep and however asynchronous. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run({ requestId }, fn);
}

export function currentRequestId(): string | null {
  return requestScope.getStore()?.requestId ?? null;
}

export function createLogger(config: Pick<Config, "logLevel" | "production">, destination?: DestinationStream): Logger {
  const options = {
    ...redactingLoggerOptions,
    level: config.logLevel,
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  if (destination) return pino(options, destination);
  const pretty = !config.production && process.stdout.isTTY;
  return pino({ ...options, ...(pretty ? { transport: { target: "pino-pretty", options: { ignore: "pid,hostname" } } } : {}) });
}

/**
 * Prisma's error messages quote the failed call with its arguments, which can be a NIN or a secret: log what
 * identifies the failure (class, code, model, where) and never the arguments.
 */
export function loggableError(error: unknown): unknown {
  const original = (error as { originalError?: unknown } | null | undefined)?.originalError ?? error;
  if (!(original instanceof Error) || !original.name.startsWith("PrismaClient")) return error;
  const { code, meta } = original as { code?: string; meta?: { modelName?: string } };
  return { type: original.name, code, model: meta?.modelName, stack: original.stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")).join("\n") };
}

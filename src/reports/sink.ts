/** Writing a report to a stream with back-pressure, and the same into memory for the callers that want bytes. */
import { once } from "node:events";
import { PassThrough, type Writable } from "node:stream";
import { finished } from "node:stream/promises";

/** Resolves once `out` can take more; fails when it is closed or fails first (a wait for "drain" alone would never end). */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(out.errored ?? new Error("The output was closed."));
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off("drain", onDrain).off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(out.errored ?? new Error("The output was closed."));
    out.on("drain", onDrain).on("close", onClose);
  });
}

/** Writes `chunk`, waiting for the stream to drain when it asks to. */
export async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed) throw out.errored ?? new Error("The output was closed.");
  if (!out.write(chunk)) await drained(out);
}

/**
 * Waits for `out` to drain and then lets everything else waiting on this process run (other requests, timers): a
 * renderer that works synchronously calls it every few hundred rows, so a large file never holds the event loop for long.
 */
export async function pause(out: Writable): Promise<void> {
  await drained(out);
  await new Promise((resolve) => setImmediate(resolve));
}

/** Ends the stream and waits until all is flushed; fails should the stream close first (its reader went away). */
export async function end(out: Writable): Promise<void> {
  out.end();
  await flushed(out);
}

/**
 * Resolves once `out` has flushed everything it was given and ended; rejects should it be destroyed or fail first.
 * (A wait for "finish" alone would never end for a stream destroyed without an error.)
 */
export function flushed(out: Writable): Promise<void> {
  return finished(out, { readable: false });
}

/**
 * Finishes an exceljs streaming workbook written to `out`: its commit waits for "finish" alone, so it would never end
 * for an output destroyed first (its reader gone); this fails then instead.
 */
export async function committed(workbook: { commit(): Promise<unknown> }, out: Writable): Promise<void> {
  const done = flushed(out);
  done.catch(() => undefined);
  await Promise.race([workbook.commit(), done]);
  await done;
}

/** The bytes a writer (which ends its stream) writes. */
export async function collect(writeTo: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = once(out, "end");
  await writeTo(out);
  await ended;
  return Buffer.concat(chunks);
}

/** Writing a report to a stream with back-pressure, and the same into memory for the callers that want bytes. */
import { once } from "node:events";
import { PassThrough, type Writable } from "node:stream";

/** Writes `chunk`, waiting for the stream to drain when it asks to. */
export async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}

/** Ends the stream once all is flushed. */
export async function end(out: Writable): Promise<void> {
  out.end();
  await once(out, "finish");
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

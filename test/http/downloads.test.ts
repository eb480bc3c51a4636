/** Streamed downloads: the file's writer stops once its client is gone, even a client that left before the answer. */
import type { Readable } from "node:stream";
import pino from "pino";
import { expect, it, vi } from "vitest";
import type { Services } from "../../src/deps";
import { streamedFileResponse } from "../../src/http/downloads";
import type { RouteClient } from "../../src/http/routes";
import { end, write } from "../../src/reports/sink";

/** Starts a download of 1 MiB for a client whose request `signal` follows; answers how its writer ended. */
function download(signal: AbortSignal): () => "writing" | "finished" | "stopped" {
  let outcome: "writing" | "finished" | "stopped" = "writing";
  const services = { logger: pino({ level: "silent" }) } as unknown as Services;
  // As the adapter does once the connection has closed: the body is never read.
  const client: RouteClient = { address: "203.0.113.7", streamResponse: (_body: Readable) => new Response(null), cutShort: () => undefined };
  const request = new Request("http://gateway/reports/settlements/report.csv", { signal });
  streamedFileResponse(services, request, client, { contentType: "text/csv", fileName: "report.csv", logContext: {} }, async (out) => {
    try {
      for (let i = 0; i < 1024; i++) await write(out, "x".repeat(1024));
      await end(out);
      outcome = "finished";
    } catch {
      outcome = "stopped";
    }
  });
  return () => outcome;
}

it("stops the writer of a client that left while the route was still working", async () => {
  const left = new AbortController();
  left.abort();
  const outcome = download(left.signal);
  await vi.waitFor(() => expect(outcome()).toBe("stopped"));
});

it("stops the writer of a client that leaves midway", async () => {
  const leaving = new AbortController();
  const outcome = download(leaving.signal);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(outcome()).toBe("writing");
  leaving.abort();
  await vi.waitFor(() => expect(outcome()).toBe("stopped"));
});

it("names the file in Content-Disposition with every character RFC 8187 does not allow plainly escaped", async () => {
  const { contentDisposition } = await import("../../src/http/downloads");
  expect(contentDisposition("Kafé (main)*'s.png")).toBe(`attachment; filename="Kafe (main)*'s.png"; filename*=UTF-8''Kaf%C3%A9%20%28main%29%2A%27s.png`);
});

/**
 * Shared by the file endpoints (QR images, settlement reports): they take the same bearer token as /graphql and
 * answer like it (401 without a valid one); objects the caller may not see are 404, exactly like missing ones.
 */
import { randomUUID } from "node:crypto";
import { PassThrough, type Writable } from "node:stream";
import { authenticate } from "../auth/authenticate";
import { AuthenticationError } from "../auth/errors";
import type { Principal } from "../auth/principal";
import type { Services } from "../deps";
import { currentRequestId } from "../logging";
import { callerFor, type Caller } from "../services/caller";
import { problem, type RouteClient } from "./routes";

/** The route's caller, from the same bearer token (and `Merchant-Serial-Number`) as /graphql; 401 without one. */
export async function authenticatedCaller(services: Services, request: Request): Promise<Caller & { principal: Principal }> {
  const { principal, access } = await authenticate(services, {
    authorization: request.headers.get("authorization"),
    msn: request.headers.get("merchant-serial-number"),
  });
  if (!principal) throw new AuthenticationError();
  // The id the response and the logs carry (a client's own only when it is a plain token), so the audit trail finds them.
  return { ...callerFor({ principal, access, requestId: currentRequestId() ?? randomUUID() }), principal };
}

export function notFound(what: string): Response {
  return problem(404, "NOT_FOUND", `No ${what} with that id exists or you do not have access to it.`);
}

/**
 * `filename` for old clients (ASCII), `filename*` (RFC 6266) with the real name for the rest. RFC 8187 allows fewer
 * characters unescaped than `encodeURIComponent` leaves: ' ( ) * are escaped too.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.normalize("NFKD").replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "_") || "download";
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Reports carry payment and personal data: an attachment nothing in between may keep a copy of. */
function fileHeaders(contentType: string, fileName: string): Record<string, string> {
  return {
    "content-type": contentType,
    "content-disposition": contentDisposition(fileName),
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
  };
}

export function fileResponse(body: Buffer | string, contentType: string, fileName: string): Response {
  return new Response(typeof body === "string" ? body : new Uint8Array(body), { status: 200, headers: fileHeaders(contentType, fileName) });
}

/**
 * A file `write` writes (and ends), sent as it is written and at the client's pace: `write` waits while the client
 * reads slowly, and stops (its writes fail) once the client has gone. The status goes out with the first bytes, so a
 * failure midway is logged and the connection dropped: the client sees an incomplete download, not a short file
 * that looks whole.
 */
export function streamedFileResponse(
  services: Services,
  request: Request,
  client: RouteClient,
  file: { contentType: string; fileName: string; logContext: Record<string, unknown>; byteSize?: bigint | number | null },
  write: (out: Writable) => Promise<unknown>,
): Response {
  const body = new PassThrough();
  // Once the response is on its way the adapter destroys the body when the connection closes; a client that left
  // while the route was still working never gets that far, and the writer would wait for it for ever.
  const gone = () => body.destroy();
  if (request.signal.aborted) gone();
  else request.signal.addEventListener("abort", gone, { once: true });
  write(body)
    .catch((error: unknown) => {
      if (body.destroyed) return; // the client went away: nothing to tell anyone
      services.logger.error({ err: error, ...file.logContext }, "Writing a download failed midway; the connection was dropped");
      client.cutShort();
    })
    .finally(() => request.signal.removeEventListener("abort", gone));
  const headers = fileHeaders(file.contentType, file.fileName);
  if (file.byteSize != null) headers["content-length"] = file.byteSize.toString();
  return client.streamResponse(body, { status: 200, headers });
}

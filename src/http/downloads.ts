/**
 * Shared by the file endpoints (QR images, settlement reports): they take the same bearer token as /graphql and
 * answer like it (401 without a valid one); objects the caller may not see are 404, exactly like missing ones.
 */
import { randomUUID } from "node:crypto";
import { authenticate } from "../auth/authenticate";
import { AuthenticationError } from "../auth/errors";
import type { Principal } from "../auth/principal";
import type { Services } from "../deps";
import { callerFor, type Caller } from "../services/caller";
import { problem } from "./routes";

/** The route's caller, from the same bearer token (and `Merchant-Serial-Number`) as /graphql; 401 without one. */
export async function authenticatedCaller(services: Services, request: Request): Promise<Caller & { principal: Principal }> {
  const { principal, access } = await authenticate(services, {
    authorization: request.headers.get("authorization"),
    msn: request.headers.get("merchant-serial-number"),
  });
  if (!principal) throw new AuthenticationError();
  return { ...callerFor({ principal, access, requestId: request.headers.get("x-request-id") ?? randomUUID() }), principal };
}

export function notFound(what: string): Response {
  return problem(404, "NOT_FOUND", `No ${what} with that id exists or you do not have access to it.`);
}

/** `filename` for old clients (ASCII), `filename*` (RFC 6266) with the real name for the rest. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.normalize("NFKD").replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "_") || "download";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function fileResponse(body: Buffer | string, contentType: string, fileName: string): Response {
  return new Response(typeof body === "string" ? body : new Uint8Array(body), {
    status: 200,
    headers: {
      "content-type": contentType,
      "content-disposition": contentDisposition(fileName),
      // Reports carry payment and personal data; nothing in between may keep a copy.
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

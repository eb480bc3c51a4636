/**
 * POST /platform/events: the payment platform tells the gateway how customers answered payment requests on
 * production sales units (approve, decline, expire). Requests are signed with PLATFORM_EVENT_SECRET
 * (src/auth/platform-signature.ts). Answers: 200 applied; 400 malformed body; 401 missing, wrong or stale signature;
 * 404 unknown transaction; 409 an event id seen before (REPLAYED) or an answer the payment's state refuses
 * (INVALID_STATE); 503 when no secret is configured.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Services } from "../deps";
import { currentRequestId } from "../logging";
import { verifySignedRequest } from "../auth/platform-signature";
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { applyPlatformEvent } from "../services/transactions";
import { json, problem, type RouteHandler } from "./routes";

export const PLATFORM_EVENTS_PATH = "/platform/events";

const PlatformEventBody = z
  .object({
    eventId: z.string().min(1).max(100),
    transactionId: z.uuid().optional(),
    msn: z.string().min(1).max(10).optional(),
    reference: z.string().min(1).max(50).optional(),
    action: z.enum(["APPROVE", "DECLINE", "EXPIRE"]),
    payer: z
      .object({ name: z.string().optional(), phoneNumber: z.string().optional(), email: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((event) => event.transactionId !== undefined || (event.msn !== undefined && event.reference !== undefined), {
    message: "Name the payment: give transactionId, or msn and reference.",
  });

export function platformEventRoutes(services: Services): Record<string, RouteHandler> {
  return {
    [`POST ${PLATFORM_EVENTS_PATH}`]: async (request, url) => {
      const secret = services.config.platformEventSecret;
      if (!secret) {
        return problem(503, "NOT_CONFIGURED", "This gateway accepts no platform events: set PLATFORM_EVENT_SECRET to the secret registered with the payment platform.");
      }
      const body = await request.text();
      const check = verifySignedRequest(
        secret,
        {
          method: request.method,
          pathAndQuery: url.pathname + url.search,
          host: request.headers.get("host") ?? url.host,
          body,
          headers: {
            date: request.headers.get("x-ms-date"),
            contentHash: request.headers.get("x-ms-content-sha256"),
            authorization: request.headers.get("authorization"),
          },
        },
        services.clock.now(),
      );
      if (!check.ok) return problem(401, "UNAUTHENTICATED", check.reason);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return problem(400, "BAD_REQUEST", "The body is not JSON: send the event as a JSON object.");
      }
      const event = PlatformEventBody.parse(parsed);
      try {
        const transaction = await applyPlatformEvent(services, event, currentRequestId() ?? randomUUID());
        return json({ eventId: event.eventId, transactionId: transaction.id, status: transaction.status });
      } catch (error) {
        if (error instanceof ConflictError) return problem(409, "REPLAYED", error.message);
        if (error instanceof InvalidStateError) return problem(409, error.code, error.message);
        if (error instanceof NotFoundError) return problem(404, error.code, error.message);
        if (error instanceof ValidationError) return problem(400, "BAD_REQUEST", error.message);
        throw error;
      }
    },
  };
}

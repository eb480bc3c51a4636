/**
 * The pure rules of webhook endpoints and their deliveries (docs/webhooks.md): which URLs may be registered, which
 * event types, and when a failed delivery is tried again.
 */
import { ValidationError } from "../domain/errors";
import { validateText } from "../domain/identifiers";
import { EVENT_TYPES, eventTypeSpec } from "../events/catalog";
import { isForbiddenAddress, isIpLiteral, isLoopbackAddress } from "./addresses";

export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 200;

export interface UrlContext {
  /** Every sales unit the endpoint covers is a TEST one (plain http is then allowed). */
  testUnitsOnly: boolean;
  /** Development and tests: loopback and private addresses may be registered, and plain http on loopback. */
  allowPrivateNetwork: boolean;
}

/**
 * https, no credentials, no fragment. Plain http only for endpoints of TEST sales units, or for loopback in
 * development. An address literal in a private range is refused here already; host names are checked again at
 * every delivery, after resolving them.
 */
export function validateWebhookUrl(value: string, context: UrlContext, field = "url"): string {
  const url = value.trim();
  if (url === "") throw new ValidationError("Enter the https address that receives the events, e.g. https://shop.example/webhooks.", field);
  if (url.length > WEBHOOK_URL_MAX_LENGTH) throw new ValidationError(`The address can be at most ${WEBHOOK_URL_MAX_LENGTH} characters.`, field);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError("Use a full address, e.g. https://shop.example/webhooks.", field);
  }
  if (parsed.username !== "" || parsed.password !== "") throw new ValidationError("Remove the user name and password from the address: deliveries are signed instead.", field);
  if (parsed.hash !== "" || url.includes("#")) throw new ValidationError("Remove the fragment (the part from '#'): it is never sent.", field);
  // "localhost." is "localhost": a fully qualified name may end in a dot.
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  const loopback = host === "localhost" || (isIpLiteral(host) && isLoopbackAddress(host));
  if (parsed.protocol === "http:") {
    if (!context.testUnitsOnly && !(context.allowPrivateNetwork && loopback)) {
      throw new ValidationError("Use https: plain http is allowed only for endpoints that cover test sales units only.", field);
    }
  } else if (parsed.protocol !== "https:") {
    throw new ValidationError("Use an https address.", field);
  }
  if (!context.allowPrivateNetwork && (host === "localhost" || host.endsWith(".localhost") || (isIpLiteral(host) && isForbiddenAddress(host)))) {
    throw new ValidationError("Use a public address: webhooks cannot reach loopback, private or link-local networks.", field);
  }
  return url;
}

/** Known types only, each once; at least one. */
export function validateEventTypes(types: readonly string[], field = "eventTypes"): string[] {
  if (types.length === 0) throw new ValidationError("Choose at least one event type.", field);
  const unique = [...new Set(types)];
  for (const [index, type] of unique.entries()) {
    if (!eventTypeSpec(type)) {
      throw new ValidationError(`"${type}" is not an event type. Known types: ${EVENT_TYPES.map((entry) => entry.type).join(", ")}.`, `${field}.${index}`);
    }
  }
  return unique;
}

/** Free text like every other: trimmed, one line, counted in characters (code points); empty clears it. */
export function validateDescription(description: string | null | undefined): string | null {
  if (description == null || description.trim() === "") return null;
  return validateText(description, "description", 1, WEBHOOK_DESCRIPTION_MAX_LENGTH, "description");
}

export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  /** How long after its first attempt a delivery keeps being retried. */
  windowMs: number;
}

/**
 * The wait before attempt `failedAttempts + 1`: exponential (base · 2^(n−1)), capped, with "equal jitter" (half
 * fixed, half random) so receivers coming back from an outage are not hit by every sender at the same instant.
 */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = policy.baseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** When to try next, or null when the retry window is over and the delivery is given up. */
export function nextAttemptAt(firstAttemptAt: Date, failedAttempts: number, now: Date, policy: RetryPolicy, random: () => number = Math.random): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(failedAttempts, policy, random));
  if (now.getTime() - firstAttemptAt.getTime() >= policy.windowMs) return null;
  return next;
}

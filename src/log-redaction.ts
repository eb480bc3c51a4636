/**
 * Personal data and credentials never reach the logs: known fields are censored by pino's `redact`, and every
 * string a log call carries (messages, error messages and stacks, Prisma's quoted arguments, Yoga's debug lines) is
 * scrubbed of NIN-, phone-, e-mail- and token-shaped text, because an error message can quote any input. The value
 * graphql-js quotes when a variable does not coerce ("got invalid value { payerName: …, shipping: { address: … } }")
 * goes whole: names and addresses have no shape to find them by.
 */
import type { LoggerOptions } from "pino";

const CENSOR = "[redacted]";

const PATTERNS: [RegExp, string][] = [
  // JWTs (header.payload.signature, base64url) and bearer credentials.
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, "[redacted-token]"],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, "$1 [redacted-token]"],
  // Nordic NINs: 6 date digits, an optional century sign (-, +, A–F, U–Y), then 3–5 characters (NO 11 digits,
  // DK 10, FI ddmmyy-nnnC, SE 10 or 12 digits).
  [/\b(?:\d{2})?\d{6}[-+A-FU-Y]?\d{3}[\dA-Z]\d?\b/g, "[redacted-nin]"],
  // Phone numbers in international form (E.164, with or without spaces).
  [/\+\d(?:[\s-]?\d){6,14}/g, "[redacted-phone]"],
  // E-mail addresses (payers', users', report recipients' in a mail server's refusal). Bounded, and starting only
  // where a run of mailbox characters starts, so a long run without an "@" is read once, not once per position.
  [/(?<![\w.%+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g, "[redacted-email]"],
  // What graphql-js quotes of a value that does not coerce, to the end of the message: `Variable "$x" got invalid
  // value <the value>…` (its reason may quote the value again: "String cannot represent a non string value: …"), and
  // the same of a literal in the document.
  [/(got invalid value |cannot represent a non [\w ]{1,40} value: |Expected value of type "[^"]{1,200}", found )[\s\S]*/g, "$1[redacted]"],
];

/** Longer strings are cut before they are scrubbed and logged: no log line needs more of any one value. */
export const MAX_LOGGED_STRING = 4_096;

export function scrubText(text: string): string {
  const bounded = text.length > MAX_LOGGED_STRING ? `${text.slice(0, MAX_LOGGED_STRING)}… [${text.length - MAX_LOGGED_STRING} more characters]` : text;
  return PATTERNS.reduce((value, [pattern, replacement]) => value.replace(pattern, replacement), bounded);
}

const MAX_DEPTH = 6;

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const { code, extensions } = value as { code?: unknown; extensions?: unknown };
    return { type: value.name, message: scrubText(value.message), stack: value.stack && scrubText(value.stack), code, extensions: scrub(extensions, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]));
}

export const redactingLoggerOptions: Pick<LoggerOptions, "redact" | "hooks"> = {
  redact: {
    paths: ["nin", "*.nin", "phoneNumber", "*.phoneNumber", "clientSecret", "*.clientSecret", "client_secret", "*.client_secret", "authorization", "*.authorization", "*.headers.authorization", "accessToken", "*.accessToken", "password", "*.password"],
    censor: CENSOR,
  },
  hooks: {
    logMethod(args, method) {
      method.apply(this, args.map((arg) => scrub(arg)) as Parameters<typeof method>);
    },
  },
};

/**
 * Login redirect URIs and the https URLs merchants publish (QR redirects, payment pages, terms, privacy,
 * logos). Redirect URIs are returned exactly as given: the Login service compares them character by
 * character (case, query, trailing slash), so normalising one would silently break the merchant's login.
 */
import { ValidationError } from "./errors";

export type Environment = "PRODUCTION" | "TEST";

export const REDIRECT_URI_MAX_LENGTH = 1024;
export const MAX_REDIRECT_URIS = 50;
export const HTTPS_URL_MAX_LENGTH = 2048;

/** Schemes that run code or reach local or non-web resources, so they cannot be a native app's callback. */
const FORBIDDEN_SCHEMES = new Set(
  "javascript data vbscript file blob about filesystem ftp ws wss mailto tel sms".split(" "),
);

export function validateRedirectUri(uri: string, environment: Environment, field = "redirectUri"): string {
  if (uri === "") {
    fail("Enter the redirect URI exactly as your app sends it, e.g. https://example.com/login/callback.", field);
  }
  if (uri.length > REDIRECT_URI_MAX_LENGTH) {
    fail(`A redirect URI can be at most ${REDIRECT_URI_MAX_LENGTH} characters: use a shorter one.`, field);
  }
  if (/[\s\p{Cc}]/u.test(uri)) {
    fail("Remove the spaces and line breaks: the redirect URI is stored exactly as written.", field);
  }
  if (uri.includes("#")) fail("Remove the fragment (the part from '#'): redirect URIs cannot have one.", field);
  if (uri.includes("*")) fail("Wildcards ('*') are not allowed: register every redirect URI in full.", field);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  const parsed = scheme === undefined ? null : parse(uri);
  if (scheme === undefined || parsed === null) {
    fail("Use an absolute URI with a scheme, e.g. https://example.com/login/callback.", field);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    fail("Remove the user name and password from the redirect URI.", field);
  }
  if (scheme === "https") {
    if (parsed.hostname === "") fail("Add the host name, e.g. https://example.com/login/callback.", field);
    return uri;
  }
  if (scheme === "http") {
    if (parsed.hostname !== "localhost") {
      fail("Use https: plain http is allowed only for http://localhost, on test sales units.", field);
    }
    if (environment !== "TEST") {
      fail("http://localhost is for testing: add it to a test sales unit, and use https here.", field);
    }
    return uri;
  }
  if (FORBIDDEN_SCHEMES.has(scheme)) {
    fail(`'${scheme}:' cannot be a redirect URI: use https or your app's own scheme.`, field);
  }
  // A native app's callback needs a path after its scheme: myapp://callback or com.example.app:/callback.
  if (!/^\/\/?[^/]/.test(uri.slice(scheme.length + 1))) {
    fail(`Add a path after '${scheme}:', e.g. ${scheme}://callback.`, field);
  }
  return uri;
}

/** The whole list a sales unit registers; a failing entry is named by its index, e.g. `redirectUris.2`. */
export function validateRedirectUris(
  uris: readonly string[],
  environment: Environment,
  field = "redirectUris",
): string[] {
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new ValidationError(
      `A sales unit can have at most ${MAX_REDIRECT_URIS} redirect URIs: remove the ones you no longer use.`,
      field,
    );
  }
  const seen = new Map<string, number>();
  return uris.map((uri, index) => {
    validateRedirectUri(uri, environment, `${field}.${index}`);
    const first = seen.get(uri);
    if (first !== undefined) {
      throw new ValidationError(
        `This redirect URI is already in the list (number ${first + 1}): remove the duplicate.`,
        `${field}.${index}`,
      );
    }
    seen.set(uri, index);
    return uri;
  });
}

/**
 * A public https address in its standard form (the WHATWG URL serialisation): a path or query with letters outside
 * ASCII (`/meny/bløtkake`, `/☕`) percent-encoded as UTF-8 and a host in its ASCII form (`blåbær.no` as `xn--blbr-roah.no`), so the
 * address can go as it is into a `Location` header, a QR code's redirect or a page.
 */
export function validateHttpsUrl(url: string, field: string, maxLength: number = HTTPS_URL_MAX_LENGTH): string {
  const trimmed = url.trim();
  if (trimmed === "") fail("Enter an address starting with https://, e.g. https://example.com/.", field);
  if (trimmed.length > maxLength) fail(`The address can be at most ${maxLength} characters: use a shorter one.`, field);
  if (/[\s\p{Cc}]/u.test(trimmed)) fail("Remove the spaces and line breaks from the address.", field);
  const parsed = parse(trimmed);
  if (parsed === null || parsed.protocol !== "https:") {
    fail("Use a full https address, e.g. https://example.com/.", field);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    fail("Remove the user name and password from the address.", field);
  }
  if (!parsed.hostname.includes(".")) {
    fail("Use a public address with a domain name, e.g. https://example.com/.", field);
  }
  if (parsed.href.length > maxLength) fail(`The address can be at most ${maxLength} characters once its special characters are encoded: use a shorter one.`, field);
  return parsed.href;
}

function fail(message: string, field: string): never {
  throw new ValidationError(message, field);
}

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import { validateHttpsUrl, validateRedirectUri, validateRedirectUris } from "../../src/domain/urls";

function errorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("validateRedirectUri", () => {
  it("keeps an https URI exactly as written: case, query and trailing slash", () => {
    for (const uri of [
      "https://Example.com/Login/Callback/",
      "https://example.com/cb?x=1&y=2",
      "https://example.com",
    ]) {
      expect(validateRedirectUri(uri, "PRODUCTION")).toBe(uri);
    }
  });

  it("refuses a fragment, even an empty one", () => {
    expect(errorOf(() => validateRedirectUri("https://example.com/cb#", "PRODUCTION")).message).toMatch(/fragment/);
    expect(() => validateRedirectUri("https://example.com/#/cb", "TEST")).toThrow(ValidationError);
  });

  it("refuses wildcards", () => {
    expect(() => validateRedirectUri("https://*.example.com/cb", "PRODUCTION")).toThrow(/Wildcards/);
    expect(() => validateRedirectUri("https://example.com/*", "PRODUCTION")).toThrow(/Wildcards/);
  });

  it("refuses relative URIs and URIs without a scheme", () => {
    for (const uri of ["/login/callback", "example.com/cb", "//example.com/cb", ""]) {
      expect(() => validateRedirectUri(uri, "PRODUCTION")).toThrow(ValidationError);
    }
  });

  it("refuses plain http except for localhost", () => {
    expect(() => validateRedirectUri("http://example.com/cb", "TEST")).toThrow(/Use https/);
    expect(() => validateRedirectUri("http://localhost.example.com/cb", "TEST")).toThrow(/Use https/);
    expect(() => validateRedirectUri("http://localhost@example.com/cb", "TEST")).toThrow(ValidationError);
  });

  it("allows http://localhost with any port and path on a test sales unit", () => {
    for (const uri of ["http://localhost", "http://localhost:3000/callback", "http://localhost/a/b?c=d"]) {
      expect(validateRedirectUri(uri, "TEST")).toBe(uri);
    }
  });

  it("refuses http://localhost on a production sales unit", () => {
    expect(errorOf(() => validateRedirectUri("http://localhost:3000/cb", "PRODUCTION")).message).toMatch(/for testing/);
  });

  it("allows a native app scheme with a path", () => {
    expect(validateRedirectUri("myapp://callback", "PRODUCTION")).toBe("myapp://callback");
    expect(validateRedirectUri("com.example.app:/oauth2redirect", "PRODUCTION")).toBe(
      "com.example.app:/oauth2redirect",
    );
  });

  it("refuses an app scheme without a path, and schemes that run code", () => {
    expect(() => validateRedirectUri("myapp://", "PRODUCTION")).toThrow(/Add a path/);
    expect(() => validateRedirectUri("myapp:callback", "PRODUCTION")).toThrow(/Add a path/);
    expect(() => validateRedirectUri("javascript://alert(1)", "PRODUCTION")).toThrow(/cannot be a redirect URI/);
    expect(() => validateRedirectUri("data:/text", "PRODUCTION")).toThrow(ValidationError);
  });

  it("refuses spaces instead of trimming them, since the URI is compared exactly", () => {
    expect(() => validateRedirectUri(" https://example.com/cb", "PRODUCTION")).toThrow(/spaces/);
  });

  it("refuses credentials in the URI", () => {
    expect(() => validateRedirectUri("https://user:pw@example.com/cb", "PRODUCTION")).toThrow(/user name/);
  });

  it("refuses URIs longer than 1024 characters", () => {
    const base = "https://example.com/";
    expect(validateRedirectUri(base + "a".repeat(1024 - base.length), "PRODUCTION")).toHaveLength(1024);
    expect(() => validateRedirectUri(base + "a".repeat(1025 - base.length), "PRODUCTION")).toThrow(/1024/);
  });
});

describe("validateRedirectUris", () => {
  it("names the failing entry by its index", () => {
    const error = errorOf(() =>
      validateRedirectUris(["https://a.example/cb", "https://b.example/cb", "ftp://x"], "TEST"),
    );
    expect(error.field).toBe("redirectUris.2");
  });

  it("treats URIs differing only by a trailing slash as different", () => {
    const uris = ["https://example.com/cb", "https://example.com/cb/"];
    expect(validateRedirectUris(uris, "PRODUCTION")).toEqual(uris);
  });

  it("refuses exact duplicates", () => {
    const error = errorOf(() =>
      validateRedirectUris(["https://example.com/cb", "https://example.com/cb"], "PRODUCTION"),
    );
    expect(error.field).toBe("redirectUris.1");
    expect(error.message).toMatch(/already in the list \(number 1\)/);
  });

  it("refuses more than 50 URIs", () => {
    const uris = Array.from({ length: 51 }, (_, i) => `https://example.com/cb/${i}`);
    expect(validateRedirectUris(uris.slice(0, 50), "PRODUCTION")).toHaveLength(50);
    expect(errorOf(() => validateRedirectUris(uris, "PRODUCTION")).field).toBe("redirectUris");
  });
});

describe("validateHttpsUrl", () => {
  it("accepts a public https URL and trims it", () => {
    expect(validateHttpsUrl(" https://fjordkaffe.no/meny ", "url")).toBe("https://fjordkaffe.no/meny");
  });

  it("refuses http, other schemes and addresses without a domain, on the given field", () => {
    for (const url of ["http://fjordkaffe.no", "ftp://fjordkaffe.no", "fjordkaffe.no", "https://intranet/"]) {
      expect(errorOf(() => validateHttpsUrl(url, "logoUrl")).field).toBe("logoUrl");
    }
  });

  it("refuses a URL longer than the given maximum", () => {
    expect(() => validateHttpsUrl(`https://example.com/${"a".repeat(100)}`, "url", 100)).toThrow(/at most 100/);
  });
});

import { describe, expect, it } from "vitest";
import { isForbiddenAddress, refusalOf } from "../../src/webhooks/addresses";
import { nextAttemptAt, retryDelayMs, validateDescription, validateEventTypes, validateWebhookUrl, WEBHOOK_DESCRIPTION_MAX_LENGTH } from "../../src/webhooks/rules";

const PRODUCTION = { testUnitsOnly: false, allowPrivateNetwork: false };

describe("the addresses a webhook may reach outside development", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "[::1]",
    "64:ff9b::a00:1",
  ])("refuses %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
    expect(refusalOf(address, { allowPrivateNetwork: false })).toMatch(/public addresses only/);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "193.0.14.129", "2001:4860:4860::8888", "::ffff:8.8.8.8"])("allows %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
    expect(refusalOf(address, { allowPrivateNetwork: false })).toBeNull();
  });

  it("refuses what is not an address at all", () => {
    expect(isForbiddenAddress("example.com")).toBe(true);
  });

  it("allows everything in development", () => {
    expect(refusalOf("127.0.0.1", { allowPrivateNetwork: true })).toBeNull();
  });
});

describe("webhook URLs", () => {
  it("accepts https to a public host", () => {
    expect(validateWebhookUrl(" https://shop.example/hooks?x=1 ", PRODUCTION)).toBe("https://shop.example/hooks?x=1");
  });

  it("refuses plain http unless every sales unit is a test one", () => {
    expect(() => validateWebhookUrl("http://shop.example/hooks", PRODUCTION)).toThrow(/Use https/);
    expect(validateWebhookUrl("http://shop.example/hooks", { ...PRODUCTION, testUnitsOnly: true })).toBe("http://shop.example/hooks");
  });

  it("allows http on loopback only in development", () => {
    expect(() => validateWebhookUrl("http://127.0.0.1:9000/", PRODUCTION)).toThrow(/Use https/);
    expect(validateWebhookUrl("http://127.0.0.1:9000/", { ...PRODUCTION, allowPrivateNetwork: true })).toBe("http://127.0.0.1:9000/");
    expect(() => validateWebhookUrl("http://10.0.0.5/", { ...PRODUCTION, allowPrivateNetwork: true })).toThrow(/Use https/);
  });

  it.each(["https://127.0.0.1/", "https://localhost/hooks", "https://10.0.0.8/", "https://[::1]/", "https://169.254.169.254/latest/meta-data", "https://api.localhost/", "https://localhost./", "https://api.localhost./"])(
    "refuses the private target %s outside development, even for test sales units",
    (url) => {
      expect(() => validateWebhookUrl(url, { testUnitsOnly: true, allowPrivateNetwork: false })).toThrow(/public address/);
    },
  );

  it("refuses credentials, fragments and other schemes", () => {
    expect(() => validateWebhookUrl("https://user:pw@shop.example/", PRODUCTION)).toThrow(/user name/);
    expect(() => validateWebhookUrl("https://shop.example/#x", PRODUCTION)).toThrow(/fragment/);
    expect(() => validateWebhookUrl("ftp://shop.example/", PRODUCTION)).toThrow(/https/);
    expect(() => validateWebhookUrl("not a url", PRODUCTION)).toThrow(/full address/);
  });
});

describe("event types", () => {
  it("keeps known types once each", () => {
    expect(validateEventTypes(["transaction.CAPTURED", "transaction.CAPTURED", "transaction.REFUNDED"])).toEqual(["transaction.CAPTURED", "transaction.REFUNDED"]);
  });

  it("refuses an unknown type and an empty list", () => {
    expect(() => validateEventTypes(["transaction.EXPLODED"])).toThrow(/not an event type/);
    expect(() => validateEventTypes([])).toThrow(/at least one/);
  });
});

describe("descriptions", () => {
  it("are free text like the portal's others: trimmed, one line, counted in characters, empty clearing them", () => {
    expect(validateDescription("  Order system  ")).toBe("Order system");
    expect(validateDescription("   ")).toBeNull();
    expect(validateDescription(null)).toBeNull();
    expect(() => validateDescription("line one\nline two")).toThrow(expect.objectContaining({ field: "description" }));
    expect(() => validateDescription("bell\u0007")).toThrow(expect.objectContaining({ field: "description" }));
    // Emoji are one character each, though two UTF-16 units.
    expect(validateDescription("🔔".repeat(WEBHOOK_DESCRIPTION_MAX_LENGTH))).toBe("🔔".repeat(WEBHOOK_DESCRIPTION_MAX_LENGTH));
    expect(() => validateDescription("a".repeat(WEBHOOK_DESCRIPTION_MAX_LENGTH + 1))).toThrow(expect.objectContaining({ field: "description" }));
  });
});

describe("retries", () => {
  const policy = { baseMs: 1000, maxDelayMs: 60_000, windowMs: 3 * 24 * 3_600_000 };

  it("doubles the wait per failed attempt, with half of it random, up to the cap", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(30, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, policy, () => 0.5)).toBe(45_000);
  });

  it("keeps trying for the whole window, then gives up", () => {
    const first = new Date("2026-01-01T00:00:00Z");
    const within = new Date(first.getTime() + policy.windowMs - 1);
    expect(nextAttemptAt(first, 20, within, policy, () => 0)?.getTime()).toBe(within.getTime() + 30_000);
    expect(nextAttemptAt(first, 21, new Date(first.getTime() + policy.windowMs), policy)).toBeNull();
  });

  it("with the default policy, covers at least three days", async () => {
    const { loadConfig } = await import("../../src/config");
    const { webhooks } = loadConfig({});
    expect(webhooks.retryWindowMs).toBeGreaterThanOrEqual(3 * 24 * 3_600_000);
  });
});

/**
 * The payer page of a payment link as a payer uses it, in headless Chromium: it shows the link, and paying sends one
 * payment request under the page's idempotency key, with persisted operations off and with `only` (where the page
 * sends its operation by hash, as the gateway's manifest holds it).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium, NO_CHROMIUM, screenshot, UI_TIMEOUT_MS } from "../support/browser";
import { startTestGateway, type TestGateway } from "../support/gateway";

describe.skipIf(!hasChromium)(`The payer page in headless Chromium${hasChromium ? "" : ` (${NO_CHROMIUM})`}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "payer-page-"));
  let off: TestGateway;
  let only: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    // A manifest of the client build's own operations only: the page's operation is the gateway's to add.
    writeFileSync(path.join(dir, "manifest.json"), "{}");
    off = await startTestGateway({ PUBLIC_PAYMENTS_PER_MINUTE: "1000" });
    only = await startTestGateway({ PERSISTED_OPERATIONS: "only", PERSISTED_OPERATIONS_MANIFEST: path.join(dir, "manifest.json") }, { sharing: off });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await only?.stop();
    await off?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [mode, gateway] of [
    ["off", () => off],
    ["only", () => only],
  ] as const) {
    it(`shows the link and sends one payment request (PERSISTED_OPERATIONS=${mode})`, async () => {
      const db = gateway().services.db;
      const unit = await db.salesUnit.findFirstOrThrow({ where: { name: "Fjordkaffe Nettbutikk" } });
      const link = await db.paymentLink.create({
        data: { salesUnitId: unit.id, slug: `page${mode}${Date.now().toString(36)}`, amount: 24_900, currency: unit.currency, description: "Julegave: 1 kg kaffe" },
      });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
      try {
        await page.goto(`${gateway().url}/pay/${link.slug}`);
        await page.locator("#description", { hasText: "Julegave: 1 kg kaffe" }).waitFor({ timeout: UI_TIMEOUT_MS });
        await page.fill("#phone", "+47 912 34 567");
        await page.click("#pay");
        await page.locator("#notice", { hasText: "Payment request sent" }).waitFor({ timeout: UI_TIMEOUT_MS });
        await screenshot(page, `payer-page-${mode}`);
      } finally {
        await page.close();
      }
      expect(errors).toEqual([]);
      expect(await db.transaction.count({ where: { paymentLinkId: link.id } })).toBe(1);
      // Sent under the page's key: a retry of the same request would have been answered with this payment.
      expect(await db.idempotencyRecord.count({ where: { scope: `PAYER:${link.slug}:payPaymentLink` } })).toBe(1);
    });
  }
});

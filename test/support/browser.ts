/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core (no browser
 * download). Without it the browser tests are skipped with the reason in their name; `.ci/run` installs it.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { projectRoot } from "../../src/config";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM_PATH);
export const NO_CHROMIUM = `skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

/** Screenshots for a reviewer (gitignored). */
export const SCREENSHOTS = path.join(projectRoot, "test-results", "screenshots");

/** Waits on DOM state are generous: two cores shared by many test runs. */
export const UI_TIMEOUT_MS = 30_000;

export async function launchChromium(): Promise<Browser> {
  // Root in a container has no user namespace for Chromium's sandbox.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

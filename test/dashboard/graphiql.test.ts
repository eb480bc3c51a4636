/**
 * GraphiQL as a person uses it, in headless Chromium: it opens on the README's example queries, and with a token
 * typed into the Headers pane a query and a `transactionEvents` subscription both answer as that user (the
 * subscription's WebSocket gets the pane as connectionParams; without it the gateway answers UNAUTHENTICATED).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium, NO_CHROMIUM, screenshot, UI_TIMEOUT_MS } from "../support/browser";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate, requestPayment, succeeded, unitByName } from "../transactions/support";

/** The text of a Monaco editor (GraphiQL's operation, headers and result panes), spaces normalised. */
async function editorText(page: Page, selector: string): Promise<string> {
  return ((await page.locator(`${selector} .view-lines >> visible=true`).first().textContent()) ?? "").replace(/\u00a0/g, " ");
}

/** Replaces an editor's content as typing would, without the editor's bracket completion. */
async function replaceEditor(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(`${selector} .view-lines >> visible=true`).first().click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
}

/**
 * Replaces the operation and waits until GraphiQL has taken it in (it stores the operation, debounced): clicked
 * before that, "Execute query" still sees the previous document, and the README's several operations make it open
 * an operation chooser instead of running anything.
 */
async function replaceOperation(page: Page, text: string): Promise<void> {
  await replaceEditor(page, OPERATION, text);
  await page.waitForFunction((expected) => localStorage.getItem("graphiql:query") === expected, text, { timeout: UI_TIMEOUT_MS });
}

const OPERATION = ".graphiql-query-editor";
const HEADERS = ".graphiql-editor-tool";
const RESULT = ".graphiql-response";

describe.skipIf(!hasChromium)(`GraphiQL in headless Chromium${hasChromium ? "" : ` (${NO_CHROMIUM})`}`, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gateway = await startTestGateway();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it("opens on the README's example queries", async () => {
    await page.goto(`${gateway.url}/graphql`);
    await page.locator(`${OPERATION} .view-line`).first().waitFor();
    const text = await editorText(page, OPERATION);
    expect(text).toContain("# Portal Gateway");
    expect(text).toContain("query Overview {");
  });

  it("runs a query with the token from the Headers pane", { timeout: 120_000 }, async () => {
    const token = await gateway.token("no-admin");
    await page.getByRole("button", { name: "Headers" }).click();
    await replaceEditor(page, HEADERS, JSON.stringify({ Authorization: `Bearer ${token}` }));
    // GraphiQL stores the pane (debounced); the subscription transport reads it from there.
    await page.waitForFunction(() => localStorage.getItem("graphiql:headers")?.includes("Bearer"), null, { timeout: UI_TIMEOUT_MS });
    await replaceOperation(page, "query Who { viewer { label kind } }");
    await page.getByRole("button", { name: /Execute query/ }).click();
    await expect.poll(() => editorText(page, RESULT), { timeout: UI_TIMEOUT_MS }).toContain('"kind": "USER"');
    expect(await editorText(page, RESULT)).toContain(`"label": "${gateway.persona("no-admin").name}"`);
  });

  it("runs a transactionEvents subscription with the same token and shows a payment made meanwhile", { timeout: 180_000 }, async () => {
    const token = await gateway.token("no-admin");
    await replaceOperation(page, "subscription Live { transactionEvents { id type transaction { reference status } } }");
    await page.getByRole("button", { name: /Execute query/ }).click();
    // The subscription is running when GraphiQL offers to stop it; then a payment's events reach it.
    await page.getByRole("button", { name: /Stop/ }).waitFor();
    const shop = await unitByName(gateway, "Fjordkaffe Test Nettbutikk");
    // The gateway may take a moment to register the subscription: keep making payments until one shows.
    let shown: string | null = null;
    for (let attempt = 0; attempt < 10 && !shown; attempt++) {
      const payment = await requestPayment(gateway, token, shop.globalId, 4200);
      succeeded(await mutate(gateway, token, "simulateCustomerAction", { transactionId: payment.id, action: "APPROVE", idempotencyKey: crypto.randomUUID() }));
      try {
        await expect.poll(() => editorText(page, RESULT), { timeout: 5_000 }).toContain(payment.reference);
        shown = payment.reference;
      } catch {
        const text = await editorText(page, RESULT);
        expect(text).not.toContain("UNAUTHENTICATED");
      }
    }
    expect(shown).not.toBeNull();
    expect(await editorText(page, RESULT)).not.toContain("errors");
    await screenshot(page, "graphiql-subscription");
  });
});

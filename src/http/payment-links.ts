/**
 * The public payer side of a payment link, where `PaymentLink.url` leads; no login:
 * - GET /pay/<slug>.json, or GET /pay/<slug> asking for `application/json`: the link as the payer sees it (amount,
 *   description, merchant and sales unit names, whether it can be paid now);
 * - GET /pay/<slug> from a browser: a small page that reads the JSON and pays through `payPaymentLink`.
 * An unknown slug answers 404; a deactivated, expired or already paid single-use link 410 Gone.
 */
import { createHash } from "node:crypto";
import type { Services } from "../deps";
import { NotFoundError } from "../domain/errors";
import { buildManifest } from "../limits/persisted";
import { SYSTEM_CALLER } from "../services/caller";
import { PaymentLinkGoneError, readPublicPaymentLink } from "../services/payment-links";
import { json, type RouteHandler } from "./routes";

const JSON_SUFFIX = ".json";

function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1b1b1f}
h1{font-size:1.25rem}.amount{font-size:2rem;font-weight:600;margin:.5rem 0}.muted{color:#5b5b66}
label{display:block;margin-top:1rem}input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}
button{font:inherit;margin-top:1rem;padding:.6rem 1rem;background:#ff5b24;color:#fff;border:0;border-radius:.4rem}
button:disabled{background:#c9c9cf}.notice{margin-top:1rem;padding:.75rem;background:#f4f4f6;border-radius:.4rem}`;

/**
 * The page's one operation as a manifest entry (its hash, and its text as the manifest prints it). The gateway adds it
 * to the manifest it loads (src/app.ts), so the page pays with PERSISTED_OPERATIONS=only too.
 */
export const PAY_PAGE_MANIFEST = buildManifest([
  "mutation PayThroughLink($input: PayPaymentLinkInput!) { payPaymentLink(input: $input) { __typename ... on Error { message } } }",
]);
const [[PAY_PAGE_HASH, PAY_PAGE_OPERATION]] = Object.entries(PAY_PAGE_MANIFEST) as [[string, string]];

/**
 * How the page sends its operation: the document itself, or (a gateway with persisted operations on, where `only`
 * refuses documents) its hash.
 */
const OPERATION_BY_DOCUMENT = `query: ${JSON.stringify(PAY_PAGE_OPERATION)}`;
const OPERATION_BY_HASH = `extensions: { persistedQuery: { version: 1, sha256Hash: "${PAY_PAGE_HASH}" } }`;

// Reads the link from the JSON beside the page and pays with the public payPaymentLink mutation, under one
// idempotency key per page load and phone number, so a retry after a lost answer sends no second payment request.
const script = (operation: string) => `(function () {
  var slug = decodeURIComponent(location.pathname.split("/").pop());
  var el = function (id) { return document.getElementById(id); };
  var say = function (text) { el("notice").textContent = text; el("notice").hidden = false; };
  var newKey = function () {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 14);
  };
  var key = newKey();
  el("phone").addEventListener("input", function () { key = newKey(); });
  fetch(location.pathname + ".json", { headers: { accept: "application/json" } })
    .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
    .then(function (res) {
      if (!res.ok) { el("title").textContent = "Payment link unavailable"; say(res.body.message); return; }
      var link = res.body;
      el("title").textContent = link.merchantName + " · " + link.salesUnitName;
      el("amount").textContent = link.formattedAmount;
      el("description").textContent = link.description;
      if (!link.payable) { say(link.reason); return; }
      el("form").hidden = false;
    })
    .catch(function () { say("The payment link could not be loaded: check your connection and reload the page."); });
  el("form").addEventListener("submit", function (event) {
    event.preventDefault();
    el("pay").disabled = true;
    var request = {
      ${operation},
      variables: { input: { slug: slug, phoneNumber: el("phone").value, idempotencyKey: key } }
    };
    fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var result = body.data && body.data.payPaymentLink;
        if (result && !result.message) { el("form").hidden = true; say("Payment request sent: approve it in the app on your phone."); return; }
        el("pay").disabled = false;
        say((result && result.message) || (body.errors && body.errors[0] && body.errors[0].message) || "The payment could not be started: try again.");
      })
      .catch(function () { el("pay").disabled = false; say("The payment could not be started: check your connection and try again."); });
  });
})();`;

const page = (script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pay</title><style>${STYLE}</style></head>
<body><main>
<h1 id="title">Loading the payment link…</h1>
<p class="amount" id="amount"></p>
<p class="muted" id="description"></p>
<form id="form" hidden><label for="phone">Your mobile number</label><input id="phone" type="tel" autocomplete="tel" required placeholder="+47 912 34 567">
<button id="pay" type="submit">Pay in the app</button></form>
<p class="notice" id="notice" role="status" hidden></p>
</main><script>${script}</script></body></html>`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** The page and its policy: only its own inline style and script run, and it talks only to this origin. */
function payerPage(byHash: boolean): { html: string; policy: string } {
  const code = script(byHash ? OPERATION_BY_HASH : OPERATION_BY_DOCUMENT);
  return {
    html: page(code),
    policy: `default-src 'none'; connect-src 'self'; style-src ${sha256(STYLE)}; script-src ${sha256(code)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };
}

export function paymentLinkRoutes(services: Services): Record<string, RouteHandler> {
  const { html, policy } = payerPage(services.config.persistedOperations !== "off");
  return {
    "GET /pay/:slug": async (request, _url, params) => {
      const path = params.slug ?? "";
      const asJson = path.endsWith(JSON_SUFFIX) || wantsJson(request);
      const slug = path.endsWith(JSON_SUFFIX) ? path.slice(0, -JSON_SUFFIX.length) : path;
      let status = 200;
      let body: unknown;
      try {
        body = await readPublicPaymentLink(services, SYSTEM_CALLER, { slug });
      } catch (error) {
        if (error instanceof NotFoundError) [status, body] = [404, { error: "NOT_FOUND", message: "There is no payment link at this address: check the link you were sent." }];
        else if (error instanceof PaymentLinkGoneError) [status, body] = [410, { error: "GONE", message: error.message }];
        else throw error;
      }
      // Whether a link can be paid changes with every payment, so nothing may keep a copy.
      if (asJson) return json(body, status, { "cache-control": "no-store" });
      // The page shows what the JSON says; its status tells crawlers and link previews the same.
      return new Response(html, {
        status,
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": policy, "referrer-policy": "no-referrer", "x-content-type-options": "nosniff" },
      });
    },
  };
}

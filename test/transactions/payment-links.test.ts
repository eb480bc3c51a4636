/** Paying through a payment link: the public payer side, links that expire or are single use. */
import { randomBytes, randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { mutate, sendPlatformEvent, startMoneyGateway, unitByName } from "./support";

let gateway: TestGateway;
let web: { id: string };

beforeAll(async () => {
  // Every payer here is one test process on one address: lift the per-address budget (test/limits pins it).
  gateway = await startMoneyGateway({ PUBLIC_PAYMENTS_PER_MINUTE: "1000" });
  web = await unitByName(gateway, "Fjordkaffe Nettbutikk");
});
afterAll(async () => gateway?.stop());

async function link(options: { singleUse?: boolean; expiresAt?: Date; active?: boolean; salesUnitId?: string } = {}) {
  return gateway.services.db.paymentLink.create({
    data: {
      salesUnitId: options.salesUnitId ?? web.id,
      slug: randomBytes(5).toString("hex"),
      amount: 34_900,
      currency: "NOK",
      description: "Kaffeabonnement, 3 måneder",
      singleUse: options.singleUse ?? false,
      active: options.active ?? true,
      expiresAt: options.expiresAt ?? null,
    },
  });
}

const PAY = `mutation($input: PayPaymentLinkInput!) {
  payPaymentLink(input: $input) {
    __typename
    ... on Error { code message }
    ... on MutationPayPaymentLinkSuccess { data { reference amount currency status expiresAt } }
  }
}`;

async function pay(slug: string, extra: Record<string, unknown> = {}) {
  const response = await gateway.graphql<{ payPaymentLink: { __typename: string; code?: string; message?: string; data?: Record<string, unknown> } }>(null, PAY, {
    input: { slug, phoneNumber: "+4791234567", ...extra },
  });
  return response.data?.payPaymentLink;
}

async function approve(reference: string) {
  const transaction = await gateway.services.db.transaction.findFirstOrThrow({ where: { reference } });
  const answer = await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: transaction.id, action: "APPROVE" });
  expect(answer.status).toBe(200);
}

describe("paying through a payment link", () => {
  it("needs no login and creates a payment request for the link's amount that refers to the link", async () => {
    const payment = await link();
    const paid = await pay(payment.slug, {
      payerName: "Ola Nordmann",
      email: "ola@example.no",
      shipping: { name: "Ola Nordmann", address: "Bryggen 1, 5003 Bergen", method: "Posten" },
    });
    expect(paid).toMatchObject({ __typename: "MutationPayPaymentLinkSuccess", data: { amount: 34_900, currency: "NOK", status: "REQUESTED" } });

    const admin = await gateway.login("no-admin");
    const listed = await gateway.graphql<{ transactions: { nodes: Record<string, unknown>[] } }>(
      admin,
      `query($link: ID!) { transactions(first: 5, filter: { paymentLinkId: $link }) { nodes {
        reference amount paymentLink { id } payer { name phoneNumber email } shipping { name address method } } } }`,
      { link: encodeGlobalID("PaymentLink", payment.id) },
    );
    expect(listed.data?.transactions.nodes).toEqual([
      {
        reference: paid?.data?.reference,
        amount: 34_900,
        paymentLink: { id: encodeGlobalID("PaymentLink", payment.id) },
        payer: { name: "Ola Nordmann", phoneNumber: "+4791234567", email: "ola@example.no" },
        shipping: { name: "Ola Nordmann", address: "Bryggen 1, 5003 Bergen", method: "Posten" },
      },
    ]);
  });

  it("takes several payments through a reusable link", async () => {
    const payment = await link();
    expect((await pay(payment.slug))?.__typename).toBe("MutationPayPaymentLinkSuccess");
    expect((await pay(payment.slug))?.__typename).toBe("MutationPayPaymentLinkSuccess");
    expect(await gateway.services.db.transaction.count({ where: { paymentLinkId: payment.id } })).toBe(2);
  });

  it("blocks a second payment through a single-use link while the first waits and after it was approved", async () => {
    const payment = await link({ singleUse: true });
    const first = await pay(payment.slug);
    expect(first?.__typename).toBe("MutationPayPaymentLinkSuccess");
    const whileWaiting = await pay(payment.slug);
    expect(whileWaiting).toMatchObject({ __typename: "InvalidStateError" });
    expect(whileWaiting?.message).toMatch(/waiting for approval/);

    await approve(first?.data?.reference as string);
    expect(await gateway.services.db.paymentLink.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ active: false });
    expect((await pay(payment.slug))?.__typename).toBe("InvalidStateError");
    expect(await gateway.services.db.transaction.count({ where: { paymentLinkId: payment.id } })).toBe(1);
  });

  /** Two waiting payments through one single-use link: an instance whose clock ran ahead saw the first as expired. */
  async function twoWaiting(salesUnitId?: string) {
    const payment = await link({ singleUse: true, ...(salesUnitId ? { salesUnitId } : {}) });
    const first = await pay(payment.slug);
    const a = await gateway.services.db.transaction.findFirstOrThrow({ where: { reference: first?.data?.reference as string } });
    await gateway.services.db.transaction.update({ where: { id: a.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const second = await pay(payment.slug);
    expect(second?.__typename).toBe("MutationPayPaymentLinkSuccess");
    await gateway.services.db.transaction.update({ where: { id: a.id }, data: { expiresAt: a.expiresAt } });
    const b = await gateway.services.db.transaction.findFirstOrThrow({ where: { reference: second?.data?.reference as string } });
    return { payment, a, b };
  }

  async function expectPaidOnce(linkId: string) {
    const approved = await gateway.services.db.transaction.findMany({ where: { paymentLinkId: linkId, status: "RESERVED" }, select: { id: true } });
    expect(approved).toHaveLength(1);
    expect(await gateway.services.db.paymentLink.findUniqueOrThrow({ where: { id: linkId } })).toMatchObject({ active: false, paidTransactionId: approved[0]!.id });
    expect(await gateway.services.db.transaction.count({ where: { paymentLinkId: linkId, status: "REQUESTED" } })).toBe(1);
  }

  it("approves one payment of a single-use link when simulated approvals race on a test unit (the unlocked way first)", async () => {
    const testShop = await unitByName(gateway, "Fjordkaffe Test Nettbutikk");
    const { payment, a, b } = await twoWaiting(testShop.id);
    const admin = await gateway.login("no-admin");
    const answers = await Promise.all(
      [a, b].map((t) => mutate(gateway, admin, "simulateCustomerAction", { transactionId: encodeGlobalID("Transaction", t.id), action: "APPROVE" })),
    );
    expect(answers.map((answer) => answer.result?.__typename).sort()).toEqual(["InvalidStateError", "MutationSimulateCustomerActionSuccess"]);
    expect(answers.find((answer) => answer.result?.__typename === "InvalidStateError")!.result!.message).toMatch(/already paid/);
    await expectPaidOnce(payment.id);
  });

  it("approves one payment of a single-use link when the platform's approvals race (the locked way)", async () => {
    const { payment, a, b } = await twoWaiting();
    const answers = await Promise.all([a, b].map((t) => sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: t.id, action: "APPROVE" })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body).toMatchObject({ message: expect.stringMatching(/already paid/) });
    await expectPaidOnce(payment.id);
  });

  it("opens a single-use link again when its payment was declined", async () => {
    const payment = await link({ singleUse: true });
    const first = await pay(payment.slug);
    const transaction = await gateway.services.db.transaction.findFirstOrThrow({ where: { reference: first?.data?.reference as string } });
    expect((await sendPlatformEvent(gateway, { eventId: randomUUID(), transactionId: transaction.id, action: "DECLINE" })).status).toBe(200);
    expect((await pay(payment.slug))?.__typename).toBe("MutationPayPaymentLinkSuccess");
  });

  it("refuses an expired, an inactive and an unknown link", async () => {
    expect((await pay((await link({ expiresAt: new Date(Date.now() - 60_000) })).slug))?.message).toMatch(/expired/);
    expect((await pay((await link({ active: false })).slug))?.message).toMatch(/no longer active/);
    expect(await pay("no-such-link")).toMatchObject({ __typename: "NotFoundError" });
  });

  it("refuses an invalid phone number before anything is written", async () => {
    const payment = await link();
    expect(await pay(payment.slug, { phoneNumber: "123" })).toMatchObject({ __typename: "ValidationError" });
    expect(await gateway.services.db.transaction.count({ where: { paymentLinkId: payment.id } })).toBe(0);
  });
});

describe("the public payer side at /pay/<slug>", () => {
  const read = (path: string, accept = "application/json") => fetch(`${gateway.url}${path}`, { headers: { accept } });

  it("reads the link as the payer sees it, needing no login, at .json and by Accept", async () => {
    const payment = await link({ expiresAt: new Date(Date.now() + 86_400_000) });
    const expected = {
      slug: payment.slug,
      amount: 34_900,
      currency: "NOK",
      formattedAmount: "349,00\u00a0NOK",
      description: "Kaffeabonnement, 3 måneder",
      merchantName: "Fjordkaffe AS",
      salesUnitName: "Fjordkaffe Nettbutikk",
      expiresAt: payment.expiresAt!.toISOString(),
      singleUse: false,
      payable: true,
      reason: null,
    };
    const suffixed = await read(`/pay/${payment.slug}.json`, "*/*");
    expect(suffixed.status).toBe(200);
    expect(suffixed.headers.get("cache-control")).toBe("no-store");
    expect(await suffixed.json()).toEqual(expected);
    const negotiated = await read(`/pay/${payment.slug}`);
    expect(await negotiated.json()).toEqual(expected);
  });

  it("serves a self-contained page that reads the link and pays through payPaymentLink", async () => {
    const payment = await link();
    const page = await read(`/pay/${payment.slug}`, "text/html,application/xhtml+xml,application/json;q=0.9");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('location.pathname + ".json"');
    expect(html).toContain("payPaymentLink");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });

  it("answers 404 for an unknown slug and 410 for a deactivated or expired link, with the reason", async () => {
    const unknown = await read("/pay/no-such-link.json");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "NOT_FOUND", message: expect.stringContaining("no payment link") });
    expect((await read("/pay/no-such-link", "text/html")).status).toBe(404);
    const inactive = await link({ active: false });
    const gone = await read(`/pay/${inactive.slug}.json`);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: "GONE", message: expect.stringContaining("no longer active") });
    const expired = await link({ expiresAt: new Date(Date.now() - 60_000) });
    const late = await read(`/pay/${expired.slug}.json`);
    expect(late.status).toBe(410);
    expect(await late.json()).toMatchObject({ error: "GONE", message: expect.stringContaining("expired") });
  });

  it("says a single-use link is waiting while a payment awaits approval, and gone once paid", async () => {
    const single = await link({ singleUse: true });
    const paid = await pay(single.slug);
    expect(paid?.__typename).toBe("MutationPayPaymentLinkSuccess");
    const waiting = await read(`/pay/${single.slug}.json`);
    expect(waiting.status).toBe(200);
    expect(await waiting.json()).toMatchObject({ payable: false, reason: expect.stringContaining("waiting for approval") });
    await approve(String(paid!.data!.reference));
    const used = await read(`/pay/${single.slug}.json`);
    expect(used.status).toBe(410);
    expect(await used.json()).toMatchObject({ error: "GONE", message: expect.stringContaining("already been paid") });
  });
});

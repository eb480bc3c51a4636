/** Paying through a payment link: the public payer side, links that expire or are single use. */
import { randomBytes, randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestGateway } from "../support/gateway";
import { sendPlatformEvent, startMoneyGateway, unitByName } from "./support";

let gateway: TestGateway;
let web: { id: string };

beforeAll(async () => {
  // Every payer here is one test process on one address: lift the per-address budget (test/limits pins it).
  gateway = await startMoneyGateway({ PUBLIC_PAYMENTS_PER_MINUTE: "1000" });
  web = await unitByName(gateway, "Fjordkaffe Nettbutikk");
});
afterAll(async () => gateway?.stop());

async function link(options: { singleUse?: boolean; expiresAt?: Date; active?: boolean } = {}) {
  return gateway.services.db.paymentLink.create({
    data: {
      salesUnitId: web.id,
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

import { describe, expect, it } from "vitest";
import { holdingPaymentWhere, type PaymentLinkFacts, paymentLinkVerdict } from "../../src/domain/payment-links";

const now = new Date("2026-03-10T12:00:00Z");
const link = (facts: Partial<PaymentLinkFacts> = {}): PaymentLinkFacts => ({
  active: true,
  expiresAt: null,
  singleUse: false,
  salesUnit: { name: "Fjordkaffe Nett", status: "ACTIVE" },
  holdingPayment: null,
  ...facts,
});

describe("paymentLinkVerdict", () => {
  it("takes a payment on an active, unexpired link of an active sales unit", () => {
    expect(paymentLinkVerdict(link(), now)).toEqual({ kind: "PAYABLE" });
    expect(paymentLinkVerdict(link({ expiresAt: new Date("2026-03-10T12:00:01Z") }), now)).toEqual({ kind: "PAYABLE" });
  });

  it("is gone when deactivated, expired (at the instant itself), or its sales unit is deactivated", () => {
    expect(paymentLinkVerdict(link({ active: false }), now)).toMatchObject({ kind: "GONE", reason: expect.stringContaining("no longer active") });
    expect(paymentLinkVerdict(link({ expiresAt: now }), now)).toMatchObject({ kind: "GONE", reason: expect.stringContaining("expired on 2026-03-10") });
    // 00:30 on 1 June in Oslo is 22:30 UTC on 31 May: the payer is told the day as they count it.
    const lateMay = new Date("2026-05-31T22:30:00Z");
    expect(paymentLinkVerdict(link({ expiresAt: lateMay }), new Date("2026-06-02T00:00:00Z"))).toMatchObject({ reason: expect.stringContaining("expired on 2026-06-01") });
    expect(paymentLinkVerdict(link({ salesUnit: { name: "Kiosk", status: "DEACTIVATED" } }), now)).toMatchObject({
      kind: "GONE",
      reason: "Sales unit Kiosk is deactivated and takes no new payments.",
    });
  });

  it("waits while the sales unit is being set up", () => {
    expect(paymentLinkVerdict(link({ salesUnit: { name: "Kiosk", status: "PROVISIONING" } }), now)).toMatchObject({
      kind: "WAIT",
      reason: expect.stringContaining("still being set up"),
    });
  });

  it("closes a single-use link once paid and holds it while an attempt waits in the app", () => {
    expect(paymentLinkVerdict(link({ singleUse: true, holdingPayment: { status: "RESERVED" } }), now)).toMatchObject({
      kind: "GONE",
      reason: expect.stringContaining("already been paid"),
    });
    expect(paymentLinkVerdict(link({ singleUse: true, holdingPayment: { status: "REQUESTED" } }), now)).toMatchObject({
      kind: "WAIT",
      reason: expect.stringContaining("waiting for approval"),
    });
    expect(paymentLinkVerdict(link({ singleUse: true }), now)).toEqual({ kind: "PAYABLE" });
    // The approval that pays it also closes it: the payer is told it was paid.
    expect(paymentLinkVerdict(link({ singleUse: true, active: false, paidTransactionId: "6b1f7c2e-0000-4000-8000-000000000000" }), now)).toMatchObject({
      kind: "GONE",
      reason: expect.stringContaining("already been paid"),
    });
  });

  it("ignores a holding payment on a link that is not single-use", () => {
    expect(paymentLinkVerdict(link({ holdingPayment: { status: "CAPTURED" } }), now)).toEqual({ kind: "PAYABLE" });
  });

  it("checks that a link is gone before whether it waits", () => {
    const waiting = { singleUse: true, holdingPayment: { status: "REQUESTED" } };
    expect(paymentLinkVerdict(link({ ...waiting, active: false }), now).kind).toBe("GONE");
    expect(paymentLinkVerdict(link({ ...waiting, salesUnit: { name: "Kiosk", status: "DEACTIVATED" } }), now).kind).toBe("GONE");
  });
});

describe("holdingPaymentWhere", () => {
  it("selects the link's approved payments and its requests not yet expired", () => {
    expect(holdingPaymentWhere("link-1", now)).toEqual({
      paymentLinkId: "link-1",
      OR: [{ reservedAt: { not: null } }, { status: "REQUESTED", expiresAt: { gt: now } }],
    });
  });
});

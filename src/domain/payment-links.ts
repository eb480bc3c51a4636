/**
 * Whether a payment link takes a payment now: one rule for the payer page's read and for paying. A link is gone
 * (it never takes a payment again) when it was deactivated, expired, its sales unit was deactivated or, single-use,
 * it was paid; it waits (not now, maybe later) while its sales unit is being set up or, single-use, while an attempt
 * waits for approval in the app.
 */
import { ledgerDay } from "./calendar";

export type PaymentLinkVerdict = { kind: "PAYABLE" } | { kind: "GONE"; reason: string } | { kind: "WAIT"; reason: string };

export interface PaymentLinkFacts {
  active: boolean;
  expiresAt: Date | null;
  singleUse: boolean;
  salesUnit: { name: string; status: "PROVISIONING" | "ACTIVE" | "DEACTIVATED" };
  /** Single-use links: the payment that holds the link (see `holdingPaymentWhere`), if any. */
  holdingPayment: { status: string } | null;
  /** Single-use links: the payment the link was paid with, once one was approved. */
  paidTransactionId?: string | null;
}

/** The payments that hold a single-use link: one approved (reserved at some point) or one still waiting in the app. */
export function holdingPaymentWhere(paymentLinkId: string, now: Date) {
  return { paymentLinkId, OR: [{ reservedAt: { not: null } }, { status: "REQUESTED" as const, expiresAt: { gt: now } }] };
}

const ALREADY_PAID = "This single-use payment link has already been paid: ask the merchant for a new link.";

export function paymentLinkVerdict(link: PaymentLinkFacts, now: Date): PaymentLinkVerdict {
  // Paying closes the link too: a payer is told why, not only that it is closed.
  if (link.singleUse && link.paidTransactionId) return { kind: "GONE", reason: ALREADY_PAID };
  if (!link.active) return { kind: "GONE", reason: "This payment link is no longer active: ask the merchant for a new link." };
  if (link.expiresAt && link.expiresAt <= now) {
    // The day as the portal's ledger counts days (Oslo time), not the UTC day: 00:30 on 1 June is 1 June.
    return { kind: "GONE", reason: `This payment link expired on ${ledgerDay(link.expiresAt)}: ask the merchant for a new link.` };
  }
  const unit = link.salesUnit;
  if (unit.status === "DEACTIVATED") return { kind: "GONE", reason: `Sales unit ${unit.name} is deactivated and takes no new payments.` };
  const held = link.singleUse ? link.holdingPayment : null;
  if (held && held.status !== "REQUESTED") {
    return { kind: "GONE", reason: ALREADY_PAID };
  }
  if (unit.status !== "ACTIVE") return { kind: "WAIT", reason: `Sales unit ${unit.name} is still being set up: try again later.` };
  if (held) {
    return {
      kind: "WAIT",
      reason: "A payment through this single-use link is waiting for approval in the app: approve it there, or try again after it expires (10 minutes).",
    };
  }
  return { kind: "PAYABLE" };
}

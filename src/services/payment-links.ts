/**
 * Payment links: a fixed amount anyone with the link can pay. Paying through `/pay/<slug>` lives with the
 * transactions; this file creates and deactivates links and reads one for the public payer page.
 */
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { validateDescription } from "../domain/identifiers";
import { formatAmount, validateAmount } from "../domain/money";
import { holdingPaymentWhere, paymentLinkVerdict } from "../domain/payment-links";
import { randomString, secureRng, SLUG_ALPHABET } from "../domain/random";
import { assertNotDeactivated } from "../domain/sales-unit";
import type { Tx } from "../db/client";
import { lockRow } from "../db/locks";
import { recordChange } from "./changes";
import { lockedUnit } from "./sales-units";

const SLUG_LENGTH = 10;

/** Random slugs, retried on the rare collision (the column is unique). */
async function freeSlug(tx: Tx): Promise<string> {
  for (;;) {
    const slug = randomString(secureRng, SLUG_LENGTH, SLUG_ALPHABET);
    if (!(await tx.paymentLink.findUnique({ where: { slug }, select: { id: true } }))) return slug;
  }
}

export interface PaymentLinkInput {
  salesUnitId: string;
  amount: number;
  description: string;
  expiresAt?: Date | null;
  singleUse?: boolean | null;
}

export async function createPaymentLink(deps: Services, caller: Caller, input: PaymentLinkInput) {
  const amount = validateAmount(input.amount);
  const description = validateDescription(input.description);
  const now = deps.clock.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new ValidationError("The expiry time has already passed: choose a time in the future, or no expiry.", "expiresAt");
  }
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, input.salesUnitId);
    assertNotDeactivated(unit, "it cannot take payments");
    if (unit.status !== "ACTIVE") throw new InvalidStateError("This sales unit is still being set up: create the payment link when it is active.");
    if (!unit.paymentLinks) {
      throw new InvalidStateError("Payment links are not enabled on this sales unit: order Payment links for it first (Order solution → Payment links).");
    }
    const link = await tx.paymentLink.create({
      data: {
        salesUnitId: unit.id,
        slug: await freeSlug(tx),
        amount,
        currency: unit.currency,
        description,
        expiresAt: input.expiresAt ?? null,
        singleUse: input.singleUse ?? false,
        createdById: caller.principal?.kind === "USER" ? caller.principal.id : null,
      },
    });
    const facts = { amount, currency: unit.currency, description, expiresAt: link.expiresAt?.toISOString() ?? null, singleUse: link.singleUse };
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "paymentLink.create",
      objectType: "PaymentLink",
      objectId: link.id,
      data: { salesUnitId: unit.id, ...facts },
      event: { type: "paymentLink.CREATED", salesUnitId: unit.id, payload: facts },
    });
    return link;
  });
}

/** A deactivated link takes no more payments; payments already made through it are not touched. */
export async function deactivatePaymentLink(deps: Services, caller: Caller, paymentLinkId: string) {
  return deps.db.$transaction(async (tx) => {
    if (!(await lockRow(tx, "PaymentLink", paymentLinkId))) throw new NotFoundError("payment link");
    const link = await tx.paymentLink.findUniqueOrThrow({ where: { id: paymentLinkId }, include: { salesUnit: { select: { merchantId: true } } } });
    if (!link.active) throw new InvalidStateError("This payment link is already deactivated.");
    const updated = await tx.paymentLink.update({ where: { id: link.id }, data: { active: false } });
    await recordChange(tx, caller, {
      merchantId: link.salesUnit.merchantId,
      action: "paymentLink.deactivate",
      objectType: "PaymentLink",
      objectId: link.id,
      event: { type: "paymentLink.DEACTIVATED", salesUnitId: link.salesUnitId, payload: { active: false } },
    });
    return updated;
  });
}

/** What the payer sees of a link before paying: no ids, no merchant data beyond the names on the receipt. */
export interface PublicPaymentLink {
  slug: string;
  amount: number;
  currency: string;
  formattedAmount: string;
  description: string;
  merchantName: string;
  salesUnitName: string;
  expiresAt: string | null;
  singleUse: boolean;
  /** False while something passes (an attempt waits in the app, the sales unit is not active); `reason` says what. */
  payable: boolean;
  reason: string | null;
}

/** Why a link takes no payments any more and never will again: the payer side answers 410 Gone with it. */
export class PaymentLinkGoneError extends Error {}

/**
 * The public payer side's read of a link, by its slug (anyone with the link may read it, so the caller is not
 * asked). Unknown slugs are NotFoundError; deactivated, expired and paid single-use links PaymentLinkGoneError,
 * with the words payPaymentLink refuses them with (both ask paymentLinkVerdict, src/domain/payment-links.ts).
 */
export async function readPublicPaymentLink(deps: Services, _caller: Caller, input: { slug: string }): Promise<PublicPaymentLink> {
  const link = await deps.db.paymentLink.findUnique({
    where: { slug: input.slug },
    include: { salesUnit: { select: { name: true, status: true, merchant: { select: { name: true } } } } },
  });
  if (!link) throw new NotFoundError("payment link");
  const now = deps.clock.now();
  const holdingPayment = link.singleUse ? await deps.db.transaction.findFirst({ where: holdingPaymentWhere(link.id, now), select: { status: true } }) : null;
  const verdict = paymentLinkVerdict({ ...link, holdingPayment }, now);
  if (verdict.kind === "GONE") throw new PaymentLinkGoneError(verdict.reason);
  const reason = verdict.kind === "WAIT" ? verdict.reason : null;
  return {
    slug: link.slug,
    amount: link.amount,
    currency: link.currency,
    formattedAmount: formatAmount(link.amount, link.currency),
    description: link.description,
    merchantName: link.salesUnit.merchant.name,
    salesUnitName: link.salesUnit.name,
    expiresAt: link.expiresAt?.toISOString() ?? null,
    singleUse: link.singleUse,
    payable: reason === null,
    reason,
  };
}

/** The address a payer opens: `<PUBLIC_BASE_URL>/pay/<slug>`. */
export function paymentLinkUrl(publicBaseUrl: string, slug: string): string {
  return `${publicBaseUrl}/pay/${encodeURIComponent(slug)}`;
}

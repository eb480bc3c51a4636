/**
 * Payment links: a fixed amount anyone with the link can pay. The payer side (paying through `/pay/<slug>`)
 * lives with the transactions; this file creates and deactivates links.
 */
import { randomInt } from "node:crypto";
import type { Context } from "../context";
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { validateDescription } from "../domain/identifiers";
import { validateAmount } from "../domain/money";
import type { Prisma } from "../generated/prisma/client";
import { actorOf, recordAudit } from "./audit";
import { lockedUnit } from "./sales-units";

type Tx = Prisma.TransactionClient;

/** Without look-alikes (0/O, 1/l/I), since people read links aloud and type them from paper. */
const SLUG_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const SLUG_LENGTH = 10;

/** Random slugs, retried on the rare collision (the column is unique). */
async function freeSlug(tx: Tx): Promise<string> {
  for (;;) {
    const slug = Array.from({ length: SLUG_LENGTH }, () => SLUG_ALPHABET[randomInt(SLUG_ALPHABET.length)]).join("");
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

export async function createPaymentLink(ctx: Context, input: PaymentLinkInput) {
  const amount = validateAmount(input.amount);
  const description = validateDescription(input.description);
  const now = ctx.services.clock.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new ValidationError("The expiry time has already passed: choose a time in the future, or no expiry.", "expiresAt");
  }
  return ctx.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, input.salesUnitId);
    if (unit.status !== "ACTIVE") {
      throw new InvalidStateError(
        unit.status === "DEACTIVATED"
          ? "This sales unit is deactivated: it cannot take payments."
          : "This sales unit is still being set up: create the payment link when it is active.",
      );
    }
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
        createdById: ctx.principal?.kind === "USER" ? ctx.principal.id : null,
      },
    });
    await recordAudit(tx, actorOf(ctx.principal, ctx.requestId), {
      merchantId: unit.merchantId,
      action: "paymentLink.create",
      objectType: "PaymentLink",
      objectId: link.id,
      data: { salesUnitId: unit.id, amount, currency: unit.currency, description, expiresAt: link.expiresAt?.toISOString() ?? null, singleUse: link.singleUse },
    });
    return link;
  });
}

/** A deactivated link takes no more payments; payments already made through it are not touched. */
export async function deactivatePaymentLink(ctx: Context, paymentLinkId: string) {
  return ctx.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "PaymentLink" WHERE id = ${paymentLinkId}::uuid FOR UPDATE`;
    const link = await tx.paymentLink.findUnique({ where: { id: paymentLinkId }, include: { salesUnit: { select: { merchantId: true } } } });
    if (!link) throw new NotFoundError("payment link");
    if (!link.active) throw new InvalidStateError("This payment link is already deactivated.");
    const updated = await tx.paymentLink.update({ where: { id: link.id }, data: { active: false } });
    await recordAudit(tx, actorOf(ctx.principal, ctx.requestId), {
      merchantId: link.salesUnit.merchantId,
      action: "paymentLink.deactivate",
      objectType: "PaymentLink",
      objectId: link.id,
    });
    return updated;
  });
}

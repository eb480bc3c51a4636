/**
 * Creating and deactivating payment links (anyone who may request payments on the sales unit), and paying through one
 * (public: the payer needs no login).
 */
import { IdempotencyConflictError, InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { SalesUnit } from "./sales-unit";
import { PaymentLink } from "./payment-link";
import { CurrencyEnum, TransactionStatusEnum } from "./enums";
import type { Transaction as TransactionRow } from "../generated/prisma/client";
import { consumeOrRefuse } from "../limits/plugin";
import * as paymentLinks from "../services/payment-links";
import * as transactions from "../services/transactions";
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { callerFor } from "../services/caller";

/** The payment link policy on the link's sales unit; a link that does not exist is refused like another merchant's. */
const onPaymentLink = (paymentLinkId: string) => ({ salesUnitChild: { child: "paymentLink" as const, id: paymentLinkId } });

const PaymentLinkShippingInput = builder.inputType("PaymentLinkShippingInput", {
  description: "Where to send the goods bought through a payment link.",
  fields: (t) => ({
    name: t.string({ required: true, description: "The recipient's name, 1–100 characters." }),
    address: t.string({ required: true, description: "One line: street, postcode and town." }),
    method: t.string({ description: "The shipping option, 1–100 characters; optional." }),
  }),
});

type PaymentLinkPaymentShape = Pick<TransactionRow, "reference" | "amount" | "currency" | "description" | "status" | "expiresAt">;

const PaymentLinkPayment = builder.objectRef<PaymentLinkPaymentShape>("PaymentLinkPayment").implement({
  description: "What the payer of a payment link sees: a payment request waiting for approval in the app.",
  fields: (t) => ({
    reference: t.exposeString("reference", { description: "The merchant's order id for this payment." }),
    amount: t.exposeInt("amount", { description: "The amount to pay, in minor units (øre, cents)." }),
    currency: t.expose("currency", { type: CurrencyEnum, description: "The currency of the amount." }),
    description: t.exposeString("description", { nullable: true, description: "What is paid for; null when the link has no description." }),
    status: t.expose("status", { type: TransactionStatusEnum, description: "REQUESTED until the payer answers in the app." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true, description: "Approve in the app before this." }),
  }),
});

builder.mutationFields((t) => ({
  createPaymentLink: t.fieldWithInput({
    type: PaymentLink,
    description: "Create a link anyone can pay through. The sales unit must be active and have Payment links.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit the payments go to." }),
      amount: t.input.int({ required: true, description: "In minor units (øre, cents), 1–65,000,000; the currency is the sales unit's." }),
      description: t.input.string({ required: true, description: "3–100 characters, shown to the payer." }),
      expiresAt: t.input.field({ type: "DateTime", description: "When the link stops taking payments; in the future. None: it never expires." }),
      singleUse: t.input.boolean({ defaultValue: false, description: "Stop taking payments after the first one." }),
    },
    authScopes: (_root, { input }) => ({ salesUnit: { action: paymentLinkPolicy.action, salesUnitId: input.salesUnitId.id } }),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) =>
      paymentLinks.createPaymentLink(ctx.services, callerFor(ctx), {
        salesUnitId: input.salesUnitId.id,
        amount: input.amount,
        description: input.description,
        expiresAt: input.expiresAt,
        singleUse: input.singleUse,
      }),
  }),
  deactivatePaymentLink: t.fieldWithInput({
    type: PaymentLink,
    description: "Stop a link from taking payments. Payments already made are not affected.",
    input: { paymentLinkId: t.input.globalID({ for: PaymentLink, required: true, description: "The link to deactivate." }) },
    authScopes: (_root, { input }) => onPaymentLink(input.paymentLinkId.id),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => paymentLinks.deactivatePaymentLink(ctx.services, callerFor(ctx), input.paymentLinkId.id),
  }),
  payPaymentLink: t.fieldWithInput({
    type: PaymentLinkPayment,
    description: "Public (the payer needs no login): pay through a payment link. The payment request goes to the payer's app.",
    input: {
      slug: t.input.string({ required: true, description: "The last part of the link's URL (`/pay/<slug>`)." }),
      phoneNumber: t.input.string({ required: true, description: "The payer's mobile number; the payment request goes to its app." }),
      payerName: t.input.string({ description: "The payer's name, 1–100 characters; optional." }),
      email: t.input.string({ description: "The payer's e-mail address; optional." }),
      shipping: t.input.field({ type: PaymentLinkShippingInput, description: "Where to send the goods; optional." }),
      idempotencyKey: t.input.string({
        description:
          "Optional: 1–50 characters of a–z, A–Z, 0–9 and '-', one per payer and payment (the payer page draws one when it loads). The same request again with the same key is answered with the payment the first one made, so a retry after a lost answer sends no second request.",
      }),
    },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError, IdempotencyConflictError] },
    resolve: async (_root, { input }, ctx) => {
      // Anyone may call this, so each payment request costs the caller's address from a small budget.
      await consumeOrRefuse(ctx.services.limits, "publicPayments", ctx.clientAddress);
      return transactions.payPaymentLink(ctx.services, callerFor(ctx), {
        slug: input.slug,
        phoneNumber: input.phoneNumber,
        payerName: input.payerName,
        email: input.email,
        shipping: input.shipping,
        idempotencyKey: input.idempotencyKey,
      });
    },
  }),
}));

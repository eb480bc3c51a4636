/** Creating and deactivating payment links (anyone who may request payments on the sales unit). */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { SalesUnit } from "./sales-unit";
import { PaymentLink } from "./payment-link";
import * as paymentLinks from "../services/payment-links";
import { paymentLinkPolicy } from "../auth/policies/payment-link";
import { callerFor } from "../services/caller";

/** The payment link policy on the link's sales unit; a link that does not exist is refused like another merchant's. */
const onPaymentLink = (paymentLinkId: string) => ({ salesUnitChild: { child: "paymentLink" as const, id: paymentLinkId } });

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
}));

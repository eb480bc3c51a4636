/** The merchant's company details, changed by its Administrators. */
import { NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { Merchant } from "./merchant";
import * as onboarding from "../services/onboarding";
import { callerFor } from "../services/caller";

const administers = (_root: unknown, args: { input: { merchantId: { id: string } } }) => ({
  wholeMerchant: { action: "ADMINISTER_MERCHANT" as const, merchantId: args.input.merchantId.id },
});

builder.mutationFields((t) => ({
  updateMerchant: t.fieldWithInput({
    type: Merchant,
    description: "Change the company's address, website or contact e-mail (Administrators).",
    typeOptions: { description: "Company details: omitted fields stay as they are, null clears one. The legal name and organisation number come from the agreement." },
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant to change (you must administer it)." }),
      addressLine: t.input.string({ description: "Street address." }),
      postalCode: t.input.string({ description: "NO and DK: 4 digits; FI: 5 digits." }),
      city: t.input.string({ description: "City." }),
      website: t.input.string({ description: "An https address." }),
      contactEmail: t.input.string({ description: "Where customer service reaches the merchant." }),
    },
    authScopes: administers,
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input: { merchantId, ...changes } }, ctx) => onboarding.updateMerchant(ctx.services, callerFor(ctx), merchantId.id, changes),
  }),
}));

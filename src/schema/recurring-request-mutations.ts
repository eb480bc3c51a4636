/** Applying for recurring payments (merchant) and deciding on it (customer service). */
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { SalesUnit } from "./sales-unit";
import { RecurringRequest } from "./recurring-request";
import * as recurring from "../services/recurring";
import { APPLY_ACTION } from "../auth/policies/recurring-request";
import { callerFor } from "../services/caller";

builder.mutationFields((t) => ({
  requestRecurring: t.fieldWithInput({
    type: RecurringRequest,
    description: "Apply for recurring payments on a production sales unit; customer service decides.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true }),
      monthlyRevenueAmount: t.input.int({ required: true, description: "Expected monthly revenue from recurring payments, in minor units." }),
      description: t.input.string({ required: true, description: "What customers will pay for, 3–100 characters." }),
    },
    authScopes: (_root, { input }) => ({ salesUnit: { action: APPLY_ACTION, salesUnitId: input.salesUnitId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      recurring.requestRecurring(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, monthlyRevenueAmount: input.monthlyRevenueAmount, description: input.description }),
  }),
  approveRecurringRequest: t.fieldWithInput({
    type: RecurringRequest,
    description: "Customer service: approve a pending application; the sales unit gets recurring at once.",
    input: { recurringRequestId: t.input.globalID({ for: RecurringRequest, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => recurring.approveRecurringRequest(ctx.services, callerFor(ctx), input.recurringRequestId.id),
  }),
  rejectRecurringRequest: t.fieldWithInput({
    type: RecurringRequest,
    description: "Customer service: reject a pending application with a reason the merchant sees.",
    input: {
      recurringRequestId: t.input.globalID({ for: RecurringRequest, required: true }),
      reason: t.input.string({ required: true, description: "Shown to the merchant, 3–500 characters." }),
    },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => recurring.rejectRecurringRequest(ctx.services, callerFor(ctx), input.recurringRequestId.id, input.reason),
  }),
}));

/** Applying for recurring payments (merchant) and deciding on it (customer service). */
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { SalesUnit } from "./sales-unit";
import { RecurringRequest } from "./sales-unit-setup";
import * as recurring from "../services/recurring";
import { APPLY_ACTION } from "../auth/policies/recurring-request";
import { callerFor } from "../services/caller";

const RequestRecurringInput = builder.inputType("RequestRecurringInput", {
  fields: (t) => ({
    salesUnitId: t.globalID({ for: SalesUnit, required: true }),
    monthlyRevenueAmount: t.int({ required: true, description: "Expected monthly revenue from recurring payments, in minor units." }),
    description: t.string({ required: true, description: "What customers will pay for, 3–100 characters." }),
  }),
});

const ApproveRecurringRequestInput = builder.inputType("ApproveRecurringRequestInput", {
  fields: (t) => ({ recurringRequestId: t.globalID({ for: RecurringRequest, required: true }) }),
});

const RejectRecurringRequestInput = builder.inputType("RejectRecurringRequestInput", {
  fields: (t) => ({
    recurringRequestId: t.globalID({ for: RecurringRequest, required: true }),
    reason: t.string({ required: true, description: "Shown to the merchant, 3–500 characters." }),
  }),
});

builder.mutationFields((t) => ({
  requestRecurring: t.field({
    type: RecurringRequest,
    description: "Apply for recurring payments on a production sales unit; customer service decides.",
    args: { input: t.arg({ type: RequestRecurringInput, required: true }) },
    authScopes: (_root, { input }) => ({ salesUnit: { action: APPLY_ACTION, salesUnitId: input.salesUnitId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      recurring.requestRecurring(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, monthlyRevenueAmount: input.monthlyRevenueAmount, description: input.description }),
  }),
  approveRecurringRequest: t.field({
    type: RecurringRequest,
    description: "Customer service: approve a pending application; the sales unit gets recurring at once.",
    args: { input: t.arg({ type: ApproveRecurringRequestInput, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => recurring.approveRecurringRequest(ctx.services, callerFor(ctx), input.recurringRequestId.id),
  }),
  rejectRecurringRequest: t.field({
    type: RecurringRequest,
    description: "Customer service: reject a pending application with a reason the merchant sees.",
    args: { input: t.arg({ type: RejectRecurringRequestInput, required: true }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => recurring.rejectRecurringRequest(ctx.services, callerFor(ctx), input.recurringRequestId.id, input.reason),
  }),
}));

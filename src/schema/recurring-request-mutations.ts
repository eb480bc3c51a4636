/** Applying for recurring payments (merchant) and deciding on it (customer service). */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
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
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The production sales unit to enable recurring payments on." }),
      monthlyRevenue: t.input.field({
        type: "MinorUnits",
        required: false,
        description: "Expected monthly revenue from recurring payments, in minor units. Give this or `monthlyRevenueAmount`.",
      }),
      monthlyRevenueAmount: t.input.int({
        required: false,
        description: "Expected monthly revenue from recurring payments, in minor units.",
        deprecationReason: "Use `monthlyRevenue` (MinorUnits): an Int stops at 2 147 483 647 minor units. Deprecated 2026-12-02, removed no earlier than 2027-06-02 (README: deprecation policy).",
      }),
      description: t.input.string({ required: true, description: "What customers will pay for, 3–100 characters." }),
    },
    authScopes: (_root, { input }) => ({ salesUnit: { action: APPLY_ACTION, salesUnitId: input.salesUnitId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      recurring.requestRecurring(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, monthlyRevenue: input.monthlyRevenue ?? null, monthlyRevenueAmount: input.monthlyRevenueAmount ?? null, description: input.description }),
  }),
  approveRecurringRequest: t.fieldWithInput({
    type: RecurringRequest,
    description: "Customer service: approve a pending application; the sales unit gets recurring at once.",
    input: { recurringRequestId: t.input.globalID({ for: RecurringRequest, required: true, description: "The pending application to approve." }) },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => recurring.approveRecurringRequest(ctx.services, callerFor(ctx), input.recurringRequestId.id),
  }),
  rejectRecurringRequest: t.fieldWithInput({
    type: RecurringRequest,
    description: "Customer service: reject a pending application with a reason the merchant sees.",
    input: {
      recurringRequestId: t.input.globalID({ for: RecurringRequest, required: true, description: "The pending application to reject." }),
      reason: t.input.string({ required: true, description: "Shown to the merchant, 3–500 characters." }),
    },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => recurring.rejectRecurringRequest(ctx.services, callerFor(ctx), input.recurringRequestId.id, input.reason),
  }),
}));

/** Applications for recurring payments: the type and the sales unit's list. */
import { builder } from "./builder";
import { uuidOrNil } from "../domain/ids";
import { RecurringRequestStatusEnum } from "./enums";
import { int32Total, legacyTotalReason, Money, moneyOf } from "./money";
import { SalesUnit } from "./sales-unit";
import { APPLY_ACTION, canSeeRecurringRequest, recurringRequestWhere } from "../auth/policies/recurring-request";

export const RecurringRequest = builder.prismaNode("RecurringRequest", {
  id: { field: "id" },
  nullable: true,
  description: "An application to enable recurring payments on a production sales unit.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [recurringRequestWhere(ctx)] }),
  authScopes: async (row, ctx) => canSeeRecurringRequest(ctx, await ctx.loaders.salesUnitOwner.load(row.salesUnitId)),
  fields: (t) => ({
    monthlyRevenue: t.field({
      type: Money,
      description: "The merchant's estimate of monthly revenue from recurring payments.",
      select: { salesUnit: { select: { currency: true } } },
      resolve: (row) => moneyOf(row.monthlyRevenueAmount, row.salesUnit.currency),
    }),
    monthlyRevenueAmount: t.int({
      nullable: true,
      deprecationReason: legacyTotalReason("monthlyRevenue"),
      resolve: (row) => int32Total(row.monthlyRevenueAmount, "monthlyRevenue"),
    }),
    description: t.exposeString("description"),
    status: t.expose("status", { type: RecurringRequestStatusEnum }),
    rejectionReason: t.exposeString("rejectionReason", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    decidedAt: t.expose("decidedAt", { type: "DateTime", nullable: true }),
    salesUnit: t.relation("salesUnit"),
  }),
});

builder.prismaObjectFields(SalesUnit, (t) => ({
  recurringRequests: t.relation("recurringRequests", {
    authScopes: (unit) => ({ salesUnit: { action: APPLY_ACTION, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: { orderBy: { createdAt: "desc" } },
  }),
}));

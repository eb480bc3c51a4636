/**
 * Subscribing an e-mail address to settlement reports. A subscription for the whole merchant needs the right on
 * every sales unit (what an Administrator has); one for a sales unit needs it there. The variant with payer
 * names and messages also needs PERSONAL_DATA_REPORTS. Only portal users subscribe. The delivery job re-checks the
 * same rule against the subscriber's current access before every mail (accessCoversSubscription).
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { ReportFormatEnum, SettlementFrequencyEnum } from "./enums";
import { COMMON_ERRORS } from "./errors";
import { Merchant } from "./merchant";
import { SalesUnit } from "./sales-unit";
import { ReportSubscription } from "./settlement";
import type { Context } from "../context";
import { uuidOrNil } from "../domain/ids";
import * as subscriptions from "../services/report-subscriptions";

/** The scopes a subscription needs, from what it covers. */
function coverageScopes(target: { merchantId: string; salesUnitId: string | null; includePersonalData: boolean }) {
  const covers = (action: "VIEW_TRANSACTIONS" | "PERSONAL_DATA_REPORTS") =>
    target.salesUnitId
      ? { $all: { merchant: { action, merchantId: target.merchantId }, salesUnit: { action, salesUnitId: target.salesUnitId } } }
      : { wholeMerchant: { action, merchantId: target.merchantId } };
  // Only people of the merchant subscribe an address to its reports: not operators, partners or API keys.
  if (!target.includePersonalData) return { $all: { portalUser: true, $all: covers("VIEW_TRANSACTIONS") } };
  return { $all: { portalUser: true, $any: covers("VIEW_TRANSACTIONS"), $all: covers("PERSONAL_DATA_REPORTS") } };
}

/** Deleting needs what creating needed (minus the personal-data right); a missing subscription is refused alike. */
async function onSubscription(reportSubscriptionId: string, ctx: Context) {
  const subscription = await ctx.db.reportSubscription.findUnique({
    where: { id: uuidOrNil(reportSubscriptionId) },
    select: { merchantId: true, salesUnitId: true },
  });
  return subscription ? coverageScopes({ ...subscription, includePersonalData: false }) : false;
}

const CreateReportSubscriptionInput = builder.inputType("CreateReportSubscriptionInput", {
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, required: true }),
    salesUnitId: t.globalID({ for: SalesUnit, description: "Only this production sales unit; none: every sales unit of the merchant." }),
    email: t.string({ required: true }),
    frequency: t.field({ type: SettlementFrequencyEnum, required: true, description: "DAILY: yesterday's payouts each day; WEEKLY: last week's on Mondays; MONTHLY: last month's on the 1st." }),
    format: t.field({ type: ReportFormatEnum, required: true }),
    includePersonalData: t.boolean({ required: true, defaultValue: false, description: "Add payer names and messages." }),
  }),
});

const DeleteReportSubscriptionInput = builder.inputType("DeleteReportSubscriptionInput", {
  fields: (t) => ({ reportSubscriptionId: t.globalID({ for: ReportSubscription, required: true }) }),
});

builder.mutationFields((t) => ({
  createReportSubscription: t.field({
    type: ReportSubscription,
    description: "E-mail settlement reports to an address on a schedule.",
    args: { input: t.arg({ type: CreateReportSubscriptionInput, required: true }) },
    authScopes: (_root, { input }) =>
      coverageScopes({ merchantId: input.merchantId.id, salesUnitId: input.salesUnitId?.id ?? null, includePersonalData: input.includePersonalData }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      subscriptions.createReportSubscription(ctx, {
        merchantId: input.merchantId.id,
        salesUnitId: input.salesUnitId?.id ?? null,
        email: input.email,
        frequency: input.frequency,
        format: input.format,
        includePersonalData: input.includePersonalData,
      }),
  }),
  deleteReportSubscription: t.field({
    type: "ID",
    description: "Stop a report subscription. Answers the deleted subscription's id.",
    args: { input: t.arg({ type: DeleteReportSubscriptionInput, required: true }) },
    authScopes: (_root, { input }, ctx) => onSubscription(input.reportSubscriptionId.id, ctx),
    errors: { types: COMMON_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      encodeGlobalID("ReportSubscription", await subscriptions.deleteReportSubscription(ctx, input.reportSubscriptionId.id)),
  }),
}));

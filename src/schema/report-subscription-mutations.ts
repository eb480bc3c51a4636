/**
 * Subscribing an e-mail address to settlement reports. Who may is src/auth/policies/report-subscription.ts (the
 * `subscriptionTarget` and `reportSubscription` scopes); the delivery job re-checks the same policy against the
 * subscriber's current access before every mail.
 */
import { NotFoundError, ValidationError } from "../domain/errors";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { ReportFormatEnum, SettlementFrequencyEnum } from "./enums";
import { COMMON_ERRORS } from "./errors";
import { Merchant } from "./merchant";
import { SalesUnit } from "./sales-unit";
import { ReportSubscription } from "./report-subscription";
import * as subscriptions from "../services/report-subscriptions";
import { callerFor } from "../services/caller";


builder.mutationFields((t) => ({
  createReportSubscription: t.fieldWithInput({
    type: ReportSubscription,
    description: "E-mail settlement reports to an address on a schedule.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant whose settlements to report." }),
      salesUnitId: t.input.globalID({ for: SalesUnit, description: "Only this production sales unit; none: every sales unit of the merchant." }),
      email: t.input.string({ required: true, description: "The e-mail address to send the reports to." }),
      frequency: t.input.field({ type: SettlementFrequencyEnum, required: true, description: "DAILY: yesterday's payouts each day; WEEKLY: last week's on Mondays; MONTHLY: last month's on the 1st." }),
      format: t.input.field({ type: ReportFormatEnum, required: true, description: "The file format of the attached report." }),
      includePersonalData: t.input.boolean({ required: true, defaultValue: false, description: "Add payer names and messages." }),
    },
    authScopes: (_root, { input }) => ({
      subscriptionTarget: { merchantId: input.merchantId.id, salesUnitId: input.salesUnitId?.id ?? null, includePersonalData: input.includePersonalData },
    }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      subscriptions.createReportSubscription(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId.id,
        salesUnitId: input.salesUnitId?.id ?? null,
        email: input.email,
        frequency: input.frequency,
        format: input.format,
        includePersonalData: input.includePersonalData,
      }),
  }),
  deleteReportSubscription: t.fieldWithInput({
    type: "ID",
    description: "Stop a report subscription. Answers the deleted subscription's id.",
    input: { reportSubscriptionId: t.input.globalID({ for: ReportSubscription, required: true, description: "The subscription to stop." }) },
    // Deleting needs what creating needed (minus the personal-data right); a missing subscription is refused alike.
    authScopes: (_root, { input }) => ({ reportSubscription: { reportSubscriptionId: input.reportSubscriptionId.id } }),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) =>
      encodeGlobalID("ReportSubscription", await subscriptions.deleteReportSubscription(ctx.services, callerFor(ctx), input.reportSubscriptionId.id)),
  }),
}));

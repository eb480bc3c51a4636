/** Report subscriptions (settlement reports by e-mail): the type and the merchant's list. */
import { builder } from "./builder";
import type { Context } from "../context";
import { toPrismaWhere } from "../db/conditions";
import { canSeeSubscription, visibleSubscriptions } from "../auth/policies/report-subscription";
import { uuidOrNil } from "../domain/ids";
import { ReportFormatEnum, SettlementFrequencyEnum, } from "./enums";
import { Merchant } from "./merchant";

/**
 * A subscription is seen by the portal users who could create it (src/auth/policies/report-subscription.ts): its
 * address and whether it carries payer data are not for partners, API keys or colleagues of other units.
 */
const subscriptionWhere = (ctx: Context) => toPrismaWhere(visibleSubscriptions(ctx));

export const ReportSubscription = builder.prismaNode("ReportSubscription", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "E-mail delivery of settlement reports on a schedule.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [subscriptionWhere(ctx)] }),
  authScopes: (row, ctx) => canSeeSubscription(ctx, row),
  fields: (t) => ({
    email: t.exposeString("email", { description: "The address the reports are sent to." }),
    frequency: t.expose("frequency", { type: SettlementFrequencyEnum, description: "DAILY: yesterday's payouts each day; WEEKLY: last week's on Mondays; MONTHLY: last month's on the 1st." }),
    format: t.expose("format", { type: ReportFormatEnum, description: "The file format of the attached report." }),
    includePersonalData: t.exposeBoolean("includePersonalData", { description: "Whether the reports carry payer names and messages." }),
    lastSentAt: t.expose("lastSentAt", { type: "DateTime", nullable: true, description: "When a report was last sent; null before the first." }),
    disabledAt: t.expose("disabledAt", {
      type: "DateTime",
      nullable: true,
      description: "When it stopped because the person who made it lost access to what it covers; nothing is sent after that.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the subscription was made." }),
    merchant: t.relation("merchant", { description: "The merchant whose settlements are reported." }),
  }),
});

builder.prismaObjectFields(Merchant, (t) => ({
  reportSubscriptions: t.relation("reportSubscriptions", {
    description: "The report subscriptions you could have created yourself.",
    query: (_args, ctx) => ({ where: subscriptionWhere(ctx), orderBy: { createdAt: "asc" } }),
  }),
}));

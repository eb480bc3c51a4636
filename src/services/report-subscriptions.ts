/**
 * E-mailed settlement reports. A subscription covers the whole merchant or one sales unit; on its schedule
 * (DAILY, WEEKLY, MONTHLY, by Oslo ledger days) the delivery job mails the report of the payouts of the period
 * that just ended (and of any before it that could not be sent), in the chosen format and variant.
 */
import type { Caller } from "./caller";
import type { Services } from "../deps";
import type { Access } from "../auth/permissions";
import { currentUserAccess } from "../auth/principal";
import { accessCovers } from "../auth/policies/report-subscription";
import type { Tx } from "../db/client";
import { addDays, dateOfDay, dayOf, ledgerDay, settlementPeriod, type SettlementFrequency, type SettlementPeriod } from "../domain/calendar";
import { ConflictError, InvalidStateError, NotFoundError } from "../domain/errors";
import { maskEmail, validateEmail } from "../domain/identifiers";
import { uuidOrNil } from "../domain/ids";
import { formatAmount } from "../domain/money";
import type { Prisma } from "../generated/prisma/client";
import type { ReportFormat } from "../generated/prisma/enums";
import { settlementReportSource } from "../reports/settlement-report";
import { REPORT_CONTENT_TYPES, reportFileName, writeReport } from "../reports/render";
import { collect } from "../reports/sink";
import { SYSTEM_ACTOR, type Actor } from "./audit";
import { publicId, recordChange } from "./changes";
import { isRefusedForGood, type MailTransport } from "./mail";
import type { ReportOutcome } from "../metrics/metrics";
import { lockMerchant } from "./merchants";

export interface ReportSubscriptionInput {
  merchantId: string;
  salesUnitId: string | null;
  email: string;
  frequency: SettlementFrequency;
  format: ReportFormat;
  includePersonalData: boolean;
}

/** Whether `access` covers a subscription (src/auth/policies/report-subscription.ts), as stored. */
export function accessCoversSubscription(access: Access, subscription: { merchantId: string; salesUnitId: string | null; includePersonalData: boolean }): boolean {
  const salesUnit = subscription.salesUnitId ? { id: subscription.salesUnitId, merchantId: subscription.merchantId } : null;
  return accessCovers(access, { merchantId: subscription.merchantId, salesUnit, includePersonalData: subscription.includePersonalData });
}

/** Why a subscription was disabled, as its audit event records it. */
export type DisableReason = "OWNER_ACCESS_LOST" | "OWNER_REMOVED";

async function disableSubscriptions(tx: Tx, actor: Actor, subscriptions: { id: string; merchantId: string; email: string }[], reason: DisableReason, now: Date) {
  for (const subscription of subscriptions) {
    const { count } = await tx.reportSubscription.updateMany({ where: { id: subscription.id, disabledAt: null }, data: { disabledAt: now } });
    if (count === 0) continue;
    await recordChange(tx, actor, {
      merchantId: subscription.merchantId,
      action: "reportSubscription.disable",
      objectType: "ReportSubscription",
      objectId: subscription.id,
      data: { reason, email: maskEmail(subscription.email) },
      event: { type: "reportSubscription.DISABLED", salesUnitId: null, payload: { reason } },
    });
  }
}

/**
 * Ends the subscriptions a person made in the given merchants (every merchant when null), in the caller's
 * transaction: their reports stop with the access they rested on. Called when a membership is removed and when a
 * person is anonymised.
 */
export async function endSubscriptionsOf(tx: Tx, actor: Actor, userId: string, merchantIds: string[] | null, now: Date): Promise<void> {
  const subscriptions = await tx.reportSubscription.findMany({
    where: { createdById: userId, disabledAt: null, ...(merchantIds ? { merchantId: { in: merchantIds } } : {}) },
    select: { id: true, merchantId: true, email: true },
  });
  await disableSubscriptions(tx, actor, subscriptions, "OWNER_REMOVED", now);
}

export async function createReportSubscription(deps: Services, caller: Caller, input: ReportSubscriptionInput) {
  const email = validateEmail(input.email);
  return deps.db.$transaction(async (tx) => {
    // Serialises subscriptions of one merchant, so the duplicate check below holds until commit.
    const merchant = await lockMerchant(tx, input.merchantId);
    if (input.salesUnitId) {
      const unit = await tx.salesUnit.findUnique({ where: { id: uuidOrNil(input.salesUnitId) }, select: { merchantId: true, environment: true } });
      if (!unit || unit.merchantId !== merchant.id) throw new NotFoundError("sales unit");
      if (unit.environment === "TEST") throw new InvalidStateError("Test sales units have no settlements: subscribe to a production sales unit.");
    }
    const duplicate = await tx.reportSubscription.findFirst({
      where: { disabledAt: null, merchantId: merchant.id, salesUnitId: input.salesUnitId, email, frequency: input.frequency, format: input.format, includePersonalData: input.includePersonalData },
      select: { id: true },
    });
    if (duplicate) throw new ConflictError(`${email} already receives this report on this schedule.`, "email");
    const subscription = await tx.reportSubscription.create({
      data: {
        merchantId: merchant.id,
        salesUnitId: input.salesUnitId,
        email,
        frequency: input.frequency,
        format: input.format,
        includePersonalData: input.includePersonalData,
        createdById: caller.principal?.kind === "USER" ? caller.principal.id : null,
      },
    });
    await recordChange(tx, caller, {
      merchantId: merchant.id,
      action: "reportSubscription.create",
      objectType: "ReportSubscription",
      objectId: subscription.id,
      data: { salesUnitId: input.salesUnitId, email: maskEmail(email), frequency: input.frequency, format: input.format, includePersonalData: input.includePersonalData },
      event: {
        type: "reportSubscription.CREATED",
        salesUnitId: null,
        payload: {
          salesUnitId: input.salesUnitId && publicId("SalesUnit", input.salesUnitId),
          frequency: input.frequency,
          format: input.format,
          includePersonalData: input.includePersonalData,
        },
      },
    });
    return subscription;
  });
}

/** Returns the deleted subscription's id. */
export async function deleteReportSubscription(deps: Services, caller: Caller, reportSubscriptionId: string): Promise<string> {
  return deps.db.$transaction(async (tx) => {
    const subscription = await tx.reportSubscription.findUnique({ where: { id: uuidOrNil(reportSubscriptionId) } });
    if (!subscription) throw new NotFoundError("report subscription");
    const { count } = await tx.reportSubscription.deleteMany({ where: { id: subscription.id } });
    if (count === 0) throw new NotFoundError("report subscription");
    await recordChange(tx, caller, {
      merchantId: subscription.merchantId,
      action: "reportSubscription.delete",
      objectType: "ReportSubscription",
      objectId: subscription.id,
      data: { email: maskEmail(subscription.email), frequency: subscription.frequency },
      event: { type: "reportSubscription.DELETED", salesUnitId: null },
    });
    return subscription.id;
  });
}

/** Missed periods a pass sends at most, oldest first; older ones are left out (a report run covers any period). */
export const MAX_CATCH_UP_PERIODS = 7;

/** What a subscription has had: when its last report went out, and the last day that report covered. */
export interface SentSoFar {
  lastSentAt: Date | null;
  lastPeriodEnd: string | null;
}

/**
 * The periods whose reports are due at `now`, oldest first: every complete period after the last one sent, at most
 * the latest MAX_CATCH_UP_PERIODS of them, so a report whose sending failed until the next period ended (a mail
 * server down for a day, for a daily report) goes out late instead of never. A new subscription gets the last
 * complete period's report, not its history.
 */
export function duePeriods(frequency: SettlementFrequency, sent: SentSoFar, now: Date): SettlementPeriod[] {
  const current = settlementPeriod(ledgerDay(now), frequency);
  // Reports sent before the period was kept: a pass sends the period before the one it runs in.
  const sentThrough = sent.lastPeriodEnd ?? (sent.lastSentAt ? addDays(settlementPeriod(ledgerDay(sent.lastSentAt), frequency).periodStart, -1) : null);
  const due: SettlementPeriod[] = [];
  let period = settlementPeriod(addDays(current.periodStart, -1), frequency);
  while (due.length < MAX_CATCH_UP_PERIODS && (sentThrough === null ? due.length === 0 : period.periodEnd > sentThrough)) {
    due.unshift(period);
    period = settlementPeriod(addDays(period.periodStart, -1), frequency);
  }
  return due;
}

const SCHEDULE: Record<SettlementFrequency, string> = { DAILY: "daily", WEEKLY: "weekly", MONTHLY: "monthly" };

/** How often the delivery job looks for due subscriptions; reports are at most daily, so a few minutes late is fine. */
export const REPORT_DELIVERY_INTERVAL_MS = 5 * 60_000;

/**
 * How long a pass holds a subscription while it renders and mails the report. Far above what one report takes
 * (a period's settlements, one e-mail), so two live instances never both send; an instance that died mid-send
 * leaves the report to the first pass after this.
 */
export const REPORT_DELIVERY_LEASE_MS = 15 * 60_000;

type DueSubscription = Prisma.ReportSubscriptionGetPayload<{ include: { merchant: { select: { name: true } } } }>;

/** Mails the report of `period` to the subscriber; throws when the mail server did not accept it. */
async function mailReport(db: Services["db"], mail: MailTransport, subscription: DueSubscription, period: SettlementPeriod, now: Date): Promise<void> {
  const report = await settlementReportSource(
    db,
    {
      salesUnit: { merchantId: subscription.merchantId },
      ...(subscription.salesUnitId ? { salesUnitId: subscription.salesUnitId } : {}),
      payoutDate: { gte: dateOfDay(period.periodStart), lte: dateOfDay(period.periodEnd) },
    },
    // The same whole-period file a report run of this period makes (createReportRun), totals included.
    { merchantName: subscription.merchant.name, generatedAt: now, includePersonalData: subscription.includePersonalData, period: { from: period.periodStart, to: period.periodEnd } },
  );
  const span = period.periodStart === period.periodEnd ? period.periodStart : `${period.periodStart} – ${period.periodEnd}`;
  const payouts = report.settlements.map((s) => `${s.salesUnitName} (MSN ${s.msn}): paid out ${s.payoutDate}, net ${formatAmount(s.netAmount, s.currency)}`);
  await mail.send({
    to: subscription.email,
    subject: `Settlement report ${subscription.merchant.name}, ${span}`,
    text: [
      `Settlement report for ${subscription.merchant.name}: payouts ${span}.`,
      "",
      ...(payouts.length > 0 ? payouts : ["There were no payouts in this period."]),
      "",
      `The report is attached as ${subscription.format}.`,
      ...(subscription.includePersonalData ? ["It contains payer names and messages: store and share it as personal data."] : []),
      "",
      `You receive this because ${subscription.email} is subscribed to ${SCHEDULE[subscription.frequency]} settlement reports in the business portal, where the subscription can be removed.`,
    ].join("\n"),
    attachments: [
      {
        filename: reportFileName(["settlements", period.periodStart, period.periodEnd], subscription.format, subscription.includePersonalData),
        content: await collect((out) => writeReport(report, subscription.format, out)),
        contentType: REPORT_CONTENT_TYPES[subscription.format],
      },
    ],
  });
}

/**
 * One pass of the delivery job: mails every due report (duePeriods: a subscription behind by several periods gets
 * each, oldest first) and records each as sent. Before a subscription's reports the owner's access is read afresh:
 * a subscription whose owner can no longer see what it covers (or is gone) is disabled, audited, and not sent, since
 * the report would hand an address data its owner may no longer see.
 *
 * Each report is claimed before sending by a compare-and-set on what was sent so far that takes a lease
 * (`claimedUntil`), so two gateway instances never both send it. `lastSentAt` and `lastPeriodEnd` move only once the
 * mail server accepted the report, in the same update that ends the lease: a failed send ends the lease and the next
 * pass tries again (later periods wait, so they still go out in order), a report the mail server refuses for good
 * (isRefusedForGood: too large, say) is passed over with an error in the log, and a pass that dies mid-send leaves a lease
 * that lapses, after which the report is sent. Delivery is therefore at least once: a pass that dies between the mail
 * server's acceptance and that update sends the report twice, which beats losing it. Returns how many reports were
 * sent.
 */
export async function sendDueReports(services: Pick<Services, "db" | "clock" | "logger"> & Partial<Pick<Services, "metrics">>, mail: MailTransport): Promise<number> {
  const { db, logger } = services;
  const counted = (outcome: ReportOutcome) => services.metrics?.reportDelivered(outcome);
  const now = services.clock.now();
  const subscriptions = await db.reportSubscription.findMany({
    where: { disabledAt: null },
    include: { merchant: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  const owners = new Map<string, Promise<Access | null>>();
  const ownerAccess = (userId: string) => {
    if (!owners.has(userId)) owners.set(userId, currentUserAccess(db, userId));
    return owners.get(userId)!;
  };
  let sent = 0;
  for (const subscription of subscriptions) {
    const periods = duePeriods(subscription.frequency, { lastSentAt: subscription.lastSentAt, lastPeriodEnd: subscription.lastPeriodEnd && dayOf(subscription.lastPeriodEnd) }, now);
    if (periods.length === 0) continue;
    const access = subscription.createdById ? await ownerAccess(subscription.createdById) : null;
    if (!access || !accessCoversSubscription(access, subscription)) {
      await db.$transaction((tx) => disableSubscriptions(tx, SYSTEM_ACTOR, [subscription], "OWNER_ACCESS_LOST", now));
      counted("skipped");
      logger.info({ reportSubscriptionId: subscription.id }, "Disabled a report subscription whose owner lost access to it");
      continue;
    }
    let sentSoFar = { lastSentAt: subscription.lastSentAt, lastPeriodEnd: subscription.lastPeriodEnd };
    for (const period of periods) {
      // The clock now, not at the start of the pass: a pass that catches up may run longer than a lease, and a lease
      // dated from its start would already have lapsed for another instance.
      const claimedAt = services.clock.now();
      const lease = new Date(claimedAt.getTime() + REPORT_DELIVERY_LEASE_MS);
      const { count } = await db.reportSubscription.updateMany({
        where: { id: subscription.id, disabledAt: null, ...sentSoFar, OR: [{ claimedUntil: null }, { claimedUntil: { lte: claimedAt } }] },
        data: { claimedUntil: lease },
      });
      if (count === 0) break;
      // Only while the lease is still this pass's: one that outlived it may have been taken over.
      const ours = { id: subscription.id, claimedUntil: lease };
      try {
        await mailReport(db, mail, subscription, period, claimedAt);
      } catch (error) {
        counted("failed");
        if (isRefusedForGood(error)) {
          // Retrying would be refused again and hold up every later period: this one is passed over, loudly.
          logger.error({ err: error, reportSubscriptionId: subscription.id, period }, "The mail server refused a settlement report for good; it is not sent again");
          sentSoFar = { lastSentAt: sentSoFar.lastSentAt, lastPeriodEnd: dateOfDay(period.periodEnd) };
          const { count: passed } = await db.reportSubscription.updateMany({ where: ours, data: { lastPeriodEnd: sentSoFar.lastPeriodEnd, claimedUntil: null } });
          if (passed === 0) break;
          continue;
        }
        await db.reportSubscription.updateMany({ where: ours, data: { claimedUntil: null } });
        logger.error({ err: error, reportSubscriptionId: subscription.id, period }, "Sending a settlement report failed; the next pass retries");
        break;
      }
      // Outside the try: the report went out, so an error here must not hand the lease back as a failure. Should
      // the update itself fail, the lease lapses and the report goes out again (at least once, as above).
      sentSoFar = { lastSentAt: services.clock.now(), lastPeriodEnd: dateOfDay(period.periodEnd) };
      const { count: recorded } = await db.reportSubscription.updateMany({ where: ours, data: { ...sentSoFar, claimedUntil: null } });
      sent++;
      counted("sent");
      if (recorded === 0) break;
    }
  }
  return sent;
}

/**
 * Settlements for past periods, computed from the CAPTURE and REFUND operations they cover. Each covered
 * operation gets the settlement's id before anything is written, so the rows go in with one bulk insert.
 */
import type { Prisma } from "../generated/prisma/client";
import type { Currency, SettlementFrequency } from "../generated/prisma/enums";
import { dateOfDay, ledgerDay, payoutDate, settlementPeriod } from "../domain/calendar";
import type { MerchantCountry } from "../domain/types";
import type { Random } from "./random";
import type { OperationRow } from "./transactions";

/** The demo's fee: 1.5 % of each capture, rounded to the minor unit (so report lines add up to the settlement). */
export const FEE_RATE = 0.015;

export function feeFor(capturedAmount: number): number {
  return Math.round(capturedAmount * FEE_RATE);
}

export interface SettledUnit {
  id: string;
  currency: Currency;
  country: MerchantCountry;
  frequency: SettlementFrequency;
}

export type SettlementRow = Prisma.SettlementCreateManyInput & { id: string };

/**
 * One settlement per unit and closed period with money movements in it (a period is closed once its last
 * ledger day is over). Sets `settlementId` on the operations it covers.
 */
export function buildSettlements(
  rng: Random,
  units: readonly SettledUnit[],
  unitOfTransaction: ReadonlyMap<string, string>,
  operations: OperationRow[],
  now: Date,
): SettlementRow[] {
  const today = ledgerDay(now);
  const unitById = new Map(units.map((unit) => [unit.id, unit]));
  const periodOf = new Map<string, { periodStart: string; periodEnd: string }>();
  const open = new Map<string, { unit: SettledUnit; periodStart: string; periodEnd: string; gross: number; refunded: number; fee: number; operations: OperationRow[] }>();

  for (const operation of operations) {
    if (operation.type !== "CAPTURE" && operation.type !== "REFUND") continue;
    const unit = unitById.get(unitOfTransaction.get(operation.transactionId) ?? "");
    if (!unit) continue;
    const day = ledgerDay(operation.createdAt);
    const cacheKey = `${unit.frequency}:${day}`;
    let period = periodOf.get(cacheKey);
    if (!period) {
      period = settlementPeriod(day, unit.frequency);
      periodOf.set(cacheKey, period);
    }
    if (period.periodEnd >= today) continue;
    const key = `${unit.id}:${period.periodStart}`;
    let settlement = open.get(key);
    if (!settlement) {
      settlement = { unit, ...period, gross: 0, refunded: 0, fee: 0, operations: [] };
      open.set(key, settlement);
    }
    if (operation.type === "CAPTURE") {
      settlement.gross += operation.amount;
      settlement.fee += feeFor(operation.amount);
    } else {
      settlement.refunded += operation.amount;
    }
    settlement.operations.push(operation);
  }

  const payouts = new Map<string, string>();
  const rows: SettlementRow[] = [];
  const sorted = [...open.values()].sort((a, b) => a.unit.id.localeCompare(b.unit.id) || a.periodStart.localeCompare(b.periodStart));
  for (const settlement of sorted) {
    const payoutKey = `${settlement.unit.country}:${settlement.unit.frequency}:${settlement.periodEnd}`;
    let payout = payouts.get(payoutKey);
    if (!payout) {
      payout = payoutDate(settlement.periodEnd, settlement.unit.frequency, settlement.unit.country);
      payouts.set(payoutKey, payout);
    }
    const id = rng.uuid();
    for (const operation of settlement.operations) operation.settlementId = id;
    const net = settlement.gross - settlement.refunded - settlement.fee;
    rows.push({
      id,
      salesUnitId: settlement.unit.id,
      periodStart: dateOfDay(settlement.periodStart),
      periodEnd: dateOfDay(settlement.periodEnd),
      payoutDate: dateOfDay(payout),
      currency: settlement.unit.currency,
      grossAmount: settlement.gross,
      refundedAmount: settlement.refunded,
      feeAmount: settlement.fee,
      netAmount: net,
      // No payout when the balance is not positive.
      status: payout <= today && net > 0 ? "PAID" : "PENDING",
      createdAt: new Date(Math.min(now.getTime(), Date.parse(`${settlement.periodEnd}T23:30:00.000Z`))),
    });
  }
  return rows;
}

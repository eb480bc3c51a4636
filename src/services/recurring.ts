/**
 * Recurring payments on a production sales unit: the merchant applies with a revenue estimate, customer service
 * approves (which turns the capability on) or rejects with a reason. Test units get recurring when they are
 * created, never later.
 */
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { validateDescription, validateReason } from "../domain/identifiers";
import { uuidOrNil } from "../domain/ids";
import { assertNotDeactivated } from "../domain/sales-unit";
import type { Tx } from "../db/client";
import { recordChange } from "./changes";
import { hasOpenProductOrder, hasPendingRecurringRequest, lockedUnit } from "./sales-units";

export interface RecurringApplication {
  salesUnitId: string;
  /** The estimate as a 64-bit sum; `monthlyRevenueAmount` is its deprecated 32-bit spelling. One of them is given. */
  monthlyRevenue?: bigint | null;
  monthlyRevenueAmount?: number | null;
  description: string;
}

export async function requestRecurring(deps: Services, caller: Caller, input: RecurringApplication) {
  const monthlyRevenueAmount = validRevenueEstimate(input);
  const description = validateDescription(input.description);
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, input.salesUnitId);
    if (unit.environment === "TEST") {
      throw new InvalidStateError("Recurring cannot be added to a test sales unit: create a new test sales unit with recurring instead.");
    }
    assertNotDeactivated(unit, "it cannot get recurring");
    if (unit.recurring) throw new InvalidStateError("This sales unit already has recurring payments.");
    if (await hasPendingRecurringRequest(tx, unit.id)) {
      throw new ConflictError("This sales unit already has a recurring application waiting for customer service: wait for their answer.", "salesUnitId");
    }
    if (await hasOpenProductOrder(tx, unit.id, "RECURRING")) throw new ConflictError("Recurring is already ordered for this sales unit and the order is open: follow it in your orders.", "salesUnitId");
    const request = await tx.recurringRequest.create({
      data: {
        salesUnitId: unit.id,
        monthlyRevenueAmount,
        description,
        requestedById: caller.principal?.kind === "USER" ? caller.principal.id : null,
      },
    });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "recurringRequest.create",
      objectType: "RecurringRequest",
      objectId: request.id,
      data: { salesUnitId: unit.id, monthlyRevenueAmount: auditSum(monthlyRevenueAmount) },
      event: { type: "recurringRequest.CREATED", salesUnitId: unit.id, payload: { status: request.status, monthlyRevenueAmount: auditSum(monthlyRevenueAmount) } },
    });
    return request;
  });
}

/** A positive 64-bit sum from `monthlyRevenue`, or from the deprecated 32-bit `monthlyRevenueAmount`. */
function validRevenueEstimate(input: RecurringApplication): bigint {
  const field = input.monthlyRevenue == null && input.monthlyRevenueAmount != null ? "monthlyRevenueAmount" : "monthlyRevenue";
  const value = input.monthlyRevenue ?? input.monthlyRevenueAmount ?? null;
  if (value === null || (typeof value === "number" && !Number.isInteger(value)) || BigInt(value) <= 0n) {
    throw new ValidationError("Estimate the monthly revenue from recurring payments as a positive amount in øre or cents.", field);
  }
  return BigInt(value);
}

/** Audit data is JSON: a sum that a JSON number holds exactly stays a number, a larger one is its decimal text. */
function auditSum(sum: bigint): number | string {
  return sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum.toString();
}

/** Locks the request's sales unit (approval changes it), then the request must still be PENDING. */
async function lockedPendingRequest(tx: Tx, recurringRequestId: string) {
  const owner = await tx.recurringRequest.findUnique({ where: { id: uuidOrNil(recurringRequestId) }, select: { salesUnitId: true } });
  if (!owner) throw new NotFoundError("recurring request");
  const unit = await lockedUnit(tx, owner.salesUnitId);
  const request = await tx.recurringRequest.findUnique({ where: { id: recurringRequestId } });
  if (!request) throw new NotFoundError("recurring request");
  if (request.status !== "PENDING") throw new InvalidStateError(`This recurring request was already ${request.status.toLowerCase()}.`);
  return { unit, request };
}

export async function approveRecurringRequest(deps: Services, caller: Caller, recurringRequestId: string) {
  return deps.db.$transaction(async (tx) => {
    const { unit, request } = await lockedPendingRequest(tx, recurringRequestId);
    if (unit.status === "DEACTIVATED") throw new InvalidStateError("The sales unit has been deactivated since it applied: reject the request instead.");
    if (unit.recurring) throw new InvalidStateError("The sales unit has had recurring since it applied (an order was completed): reject the request instead.");
    const decided = await tx.recurringRequest.update({
      where: { id: request.id },
      data: { status: "APPROVED", decidedAt: deps.clock.now(), decidedBy: caller.principal?.id ?? null },
    });
    await tx.salesUnit.update({ where: { id: unit.id }, data: { recurring: true } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "recurringRequest.approve",
      objectType: "RecurringRequest",
      objectId: request.id,
      data: { salesUnitId: unit.id },
      event: [
        { type: "recurringRequest.APPROVED", salesUnitId: unit.id, payload: { status: decided.status } },
        { type: "salesUnit.UPDATED", salesUnitId: unit.id, aggregateId: unit.id, payload: { fields: ["recurring"], recurring: true } },
      ],
    });
    return decided;
  });
}

export async function rejectRecurringRequest(deps: Services, caller: Caller, recurringRequestId: string, reason: string) {
  const rejectionReason = validateReason(reason);
  return deps.db.$transaction(async (tx) => {
    const { unit, request } = await lockedPendingRequest(tx, recurringRequestId);
    const decided = await tx.recurringRequest.update({
      where: { id: request.id },
      data: { status: "REJECTED", decidedAt: deps.clock.now(), decidedBy: caller.principal?.id ?? null, rejectionReason },
    });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "recurringRequest.reject",
      objectType: "RecurringRequest",
      objectId: request.id,
      data: { salesUnitId: unit.id, reason: rejectionReason },
      event: { type: "recurringRequest.REJECTED", salesUnitId: unit.id, payload: { status: decided.status, rejectionReason } },
    });
    return decided;
  });
}

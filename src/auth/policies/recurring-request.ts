/**
 * Applications for recurring payments: whoever may edit the sales unit applies and sees them; customer service
 * decides on every one, so it sees them all.
 */
import type { Prisma } from "../../generated/prisma/client";
import { unitChildPolicy } from "./sales-unit-child";
import { isOperator, type Who } from "./who";

const unit = unitChildPolicy("EDIT_SALES_UNIT");

/** The action a merchant needs on the sales unit to apply for recurring payments. */
export const APPLY_ACTION = unit.action;

/** `salesUnit`: the request's sales unit with its owner. */
export function canSeeRecurringRequest(who: Who, salesUnit: { id: string; merchantId: string } | null): boolean {
  return isOperator(who) || (salesUnit !== null && unit.can(who.access, salesUnit));
}

/** The RecurringRequest rows `canSeeRecurringRequest` allows. */
export function recurringRequestWhere(who: Who): Prisma.RecurringRequestWhereInput {
  return { salesUnit: isOperator(who) ? {} : unit.unitWhere(who.access) };
}

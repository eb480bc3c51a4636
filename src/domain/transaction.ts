/**
 * The payment state machine (docs/transactions.md). Pure: every operation takes the current state, the sales
 * unit's context and the time, and returns a new state (never touching the old one) or throws a typed
 * error. Amounts are integers in minor units.
 *
 * Windows are exact durations from the instant they start (N × 24 hours), not calendar days in a time zone.
 */
import { AmountExceededError, InvalidStateError } from "./errors";
import { currencyForCountry, formatAmount, validateAmount } from "./money";
import type { MerchantCountry } from "./types";

export type TransactionStatus =
  "REQUESTED" | "REJECTED" | "RESERVED" | "CANCELLED" | "CAPTURED" | "REFUNDED" | "EXPIRED";

/** What an operation did, named like the status it leads to (a cancel after a partial capture is CANCELLED). */
export type TransactionEventType = Exclude<TransactionStatus, "REQUESTED">;

export interface TransactionState {
  status: TransactionStatus;
  /** The amount requested from the customer. */
  amount: number;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  cancelledAmount: number;
  createdAt: Date;
  expiresAt: Date;
  reservedAt: Date | null;
  lastCapturedAt: Date | null;
}

export interface TransactionContext {
  country: MerchantCountry;
  /** The sales unit captures at approval. */
  directCapture: boolean;
  /** The sales unit may capture or cancel for longer than its market's default window. */
  lateCapture: boolean;
  now: Date;
}

/** APPROVE, DECLINE and EXPIRE come from the payment platform; the rest from the merchant. */
export type TransactionOperation =
  | { type: "APPROVE" }
  | { type: "DECLINE" }
  | { type: "EXPIRE" }
  /** Without an amount: everything still capturable. */
  | { type: "CAPTURE"; amount?: number | null }
  | { type: "CANCEL" }
  /** Without an amount: everything still refundable. */
  | { type: "REFUND"; amount?: number | null };

export interface OperationResult {
  state: TransactionState;
  /** The money this operation moved: reserved, captured, released or refunded (0 for decline and expiry). */
  amount: number;
  eventType: TransactionEventType;
}

/** Limits the portal shows next to its Capture, Cancel and Refund buttons; null when the action is refused. */
export interface AvailableActions {
  capture: { maxAmount: number; deadline: Date } | null;
  /** `amount` is what a cancel releases: 0 when it withdraws a request the customer has not answered. */
  cancel: { amount: number; deadline: Date } | null;
  refund: { maxAmount: number; deadline: Date } | null;
}

const DAY_MS = 86_400_000;

export const REQUEST_TTL_MS = 10 * 60 * 1000;

export const RESERVATION_WINDOW_DAYS: Readonly<Record<MerchantCountry, number>> = { NO: 180, DK: 14, FI: 14 };

/** With late capture, DK and FI reservations last as long as Norwegian ones. */
export const LATE_CAPTURE_WINDOW_DAYS = 180;

export const REFUND_WINDOW_DAYS = 365;

/** A new payment request, waiting for the customer for `REQUEST_TTL_MS`. */
export function requestTransaction(amount: number, now: Date): TransactionState {
  return {
    status: "REQUESTED",
    amount: validateAmount(amount),
    authorizedAmount: 0,
    capturedAmount: 0,
    refundedAmount: 0,
    cancelledAmount: 0,
    createdAt: now,
    expiresAt: new Date(now.getTime() + REQUEST_TTL_MS),
    reservedAt: null,
    lastCapturedAt: null,
  };
}

/**
 * Applies one operation. Throws ValidationError for an amount that is not a positive integer,
 * InvalidStateError when the status or a time window forbids the operation (the message says what is still
 * possible), and AmountExceededError when the amount is more than what is left.
 */
export function applyOperation(
  state: TransactionState,
  operation: TransactionOperation,
  context: TransactionContext,
): OperationResult {
  const current = copy(state);
  const { now } = context;
  switch (operation.type) {
    case "APPROVE": {
      assertAnswerable(current, now, "approved");
      const reserved = { ...current, authorizedAmount: current.amount, reservedAt: now };
      if (context.directCapture) {
        return {
          state: { ...reserved, status: "CAPTURED", capturedAmount: current.amount, lastCapturedAt: now },
          amount: current.amount,
          eventType: "CAPTURED",
        };
      }
      return { state: { ...reserved, status: "RESERVED" }, amount: current.amount, eventType: "RESERVED" };
    }
    case "DECLINE":
      assertAnswerable(current, now, "declined");
      return { state: { ...current, status: "REJECTED" }, amount: 0, eventType: "REJECTED" };
    case "EXPIRE":
      if (current.status !== "REQUESTED") {
        throw new InvalidStateError(
          `Only an unanswered payment request can expire; this payment has status ${label(current.status)}.`,
        );
      }
      if (now < current.expiresAt) {
        throw new InvalidStateError(
          `The payment request is open until ${timestamp(current.expiresAt)}; it expires then.`,
        );
      }
      return { state: { ...current, status: "EXPIRED" }, amount: 0, eventType: "EXPIRED" };
    case "CAPTURE": {
      const amount = requestedAmount(operation.amount);
      const limit = checked(captureLimit(current, context), current, context);
      const captured = amount ?? limit.maxAmount;
      if (captured > limit.maxAmount) {
        throw new AmountExceededError(
          `You can capture at most ${money(limit.maxAmount, context)} more: enter a smaller amount, or leave the amount out to capture the rest.`,
          limit.maxAmount,
        );
      }
      return {
        state: {
          ...current,
          status: "CAPTURED",
          capturedAmount: current.capturedAmount + captured,
          lastCapturedAt: now,
        },
        amount: captured,
        eventType: "CAPTURED",
      };
    }
    case "CANCEL": {
      const released = checked(cancelLimit(current, context), current, context).maxAmount;
      // After a partial capture the payment stays captured (or refunded): only the rest of the reservation goes.
      const status = current.status === "REQUESTED" || current.status === "RESERVED" ? "CANCELLED" : current.status;
      return {
        state: { ...current, status, cancelledAmount: current.cancelledAmount + released },
        amount: released,
        eventType: "CANCELLED",
      };
    }
    case "REFUND": {
      const amount = requestedAmount(operation.amount);
      const limit = checked(refundLimit(current, context), current, context);
      const refunded = amount ?? limit.maxAmount;
      if (refunded > limit.maxAmount) {
        throw new AmountExceededError(
          `You can refund at most ${money(limit.maxAmount, context)} more: enter a smaller amount, or leave the amount out to refund the rest.`,
          limit.maxAmount,
        );
      }
      // The portal shows a payment with any refund as Refunded, even when only part of it went back.
      return {
        state: { ...current, status: "REFUNDED", refundedAmount: current.refundedAmount + refunded },
        amount: refunded,
        eventType: "REFUNDED",
      };
    }
  }
}

/** What the merchant can do with the payment now, derived from the same rules `applyOperation` enforces. */
export function availableActions(state: TransactionState, context: TransactionContext): AvailableActions {
  const capture = captureLimit(state, context);
  const cancel = cancelLimit(state, context);
  const refund = refundLimit(state, context);
  return {
    capture: isRefusal(capture) ? null : capture,
    cancel: isRefusal(cancel) ? null : { amount: cancel.maxAmount, deadline: cancel.deadline },
    refund: isRefusal(refund) ? null : refund,
  };
}

interface Limit {
  maxAmount: number;
  deadline: Date;
}

/** Why an action is refused, without the "what you can do instead" that `checked` adds. */
interface Refusal {
  refused: string;
}

function isRefusal(value: Limit | Refusal): value is Refusal {
  return "refused" in value;
}

function captureLimit(state: TransactionState, context: TransactionContext): Limit | Refusal {
  if (state.status !== "RESERVED" && state.status !== "CAPTURED") {
    return { refused: `A payment with status ${label(state.status)} cannot be captured.` };
  }
  if (state.cancelledAmount > 0) {
    return { refused: "The rest of the reservation was cancelled, so nothing is left to capture." };
  }
  const left = state.authorizedAmount - state.capturedAmount;
  if (left === 0) return { refused: "The full amount is already captured." };
  return withinReservation(state, context, left, "captured");
}

function cancelLimit(state: TransactionState, context: TransactionContext): Limit | Refusal {
  switch (state.status) {
    case "REQUESTED":
      if (context.now >= state.expiresAt) {
        return { refused: "The payment request has expired, so there is nothing to cancel." };
      }
      return { maxAmount: 0, deadline: state.expiresAt };
    case "RESERVED":
    case "CAPTURED":
    case "REFUNDED": {
      if (state.cancelledAmount > 0) return { refused: "The rest of the reservation is already cancelled." };
      const left = state.authorizedAmount - state.capturedAmount;
      if (left === 0) return { refused: "The full amount is captured, so no reservation is left to cancel." };
      return withinReservation(state, context, left, "cancelled");
    }
    default:
      return { refused: `A payment with status ${label(state.status)} cannot be cancelled.` };
  }
}

function refundLimit(state: TransactionState, context: TransactionContext): Limit | Refusal {
  if (state.status !== "CAPTURED" && state.status !== "REFUNDED") {
    return { refused: `A payment with status ${label(state.status)} has nothing captured to refund.` };
  }
  const left = state.capturedAmount - state.refundedAmount;
  if (left === 0) return { refused: "The full captured amount is already refunded." };
  const deadline = addDays(state.lastCapturedAt ?? state.createdAt, REFUND_WINDOW_DAYS);
  if (context.now >= deadline) {
    return {
      refused: `Refunds are possible for ${REFUND_WINDOW_DAYS} days after the last capture; that time ran out on ${timestamp(deadline)}.`,
    };
  }
  return { maxAmount: left, deadline };
}

function withinReservation(
  state: TransactionState,
  context: TransactionContext,
  left: number,
  verb: string,
): Limit | Refusal {
  const days = context.lateCapture
    ? Math.max(LATE_CAPTURE_WINDOW_DAYS, RESERVATION_WINDOW_DAYS[context.country])
    : RESERVATION_WINDOW_DAYS[context.country];
  const deadline = addDays(state.reservedAt ?? state.createdAt, days);
  if (context.now >= deadline) {
    return {
      refused: `A reservation can be ${verb} for ${days} days; this one ran out on ${timestamp(deadline)}. Ask the customer to pay again if you still need the money.`,
    };
  }
  return { maxAmount: left, deadline };
}

/** Turns a refusal into the error, adding what the merchant can still do. */
function checked(limit: Limit | Refusal, state: TransactionState, context: TransactionContext): Limit {
  if (!isRefusal(limit)) return limit;
  const actions = availableActions(state, context);
  const options: string[] = [];
  if (actions.capture) options.push(`capture up to ${money(actions.capture.maxAmount, context)}`);
  if (actions.cancel) {
    options.push(
      actions.cancel.amount === 0
        ? "cancel the request"
        : `cancel the remaining ${money(actions.cancel.amount, context)}`,
    );
  }
  if (actions.refund) options.push(`refund up to ${money(actions.refund.maxAmount, context)}`);
  const next =
    options.length === 0 ? "Nothing more can be done with this payment." : `You can ${options.join(" or ")}.`;
  throw new InvalidStateError(`${limit.refused} ${next}`);
}

function assertAnswerable(state: TransactionState, now: Date, verb: string): void {
  if (state.status !== "REQUESTED") {
    throw new InvalidStateError(
      `This payment has status ${label(state.status)} and no longer waits for the customer, so it cannot be ${verb}.`,
    );
  }
  if (now >= state.expiresAt) {
    throw new InvalidStateError(
      `The payment request expired at ${timestamp(state.expiresAt)}, so it can no longer be ${verb}: send a new payment request.`,
    );
  }
}

/** Checks an amount given by the merchant; undefined means "all that is left". */
function requestedAmount(amount: number | null | undefined): number | undefined {
  return amount === null || amount === undefined ? undefined : validateAmount(amount);
}

function copy(state: TransactionState): TransactionState {
  return {
    status: state.status,
    amount: state.amount,
    authorizedAmount: state.authorizedAmount,
    capturedAmount: state.capturedAmount,
    refundedAmount: state.refundedAmount,
    cancelledAmount: state.cancelledAmount,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
    reservedAt: state.reservedAt,
    lastCapturedAt: state.lastCapturedAt,
  };
}

function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * DAY_MS);
}

function money(amount: number, context: TransactionContext): string {
  return formatAmount(amount, currencyForCountry(context.country));
}

/** The status as the portal shows it: "Reserved". */
function label(status: TransactionStatus): string {
  return status.charAt(0) + status.slice(1).toLowerCase();
}

function timestamp(instant: Date): string {
  return `${instant.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

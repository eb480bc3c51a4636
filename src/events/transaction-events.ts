/**
 * The outbox events of payments, the source of the live transaction feed. One event per change, written in the
 * same database transaction as the change: `type` is `transaction.<EVENT>` (EVENT: REQUESTED, RESERVED, REJECTED,
 * EXPIRED, CAPTURED, CANCELLED, REFUNDED; a cancel after a partial capture is CANCELLED although the status stays
 * CAPTURED), `aggregateType` is "Transaction", and the payload carries the payment's amounts after the change.
 */
import type { Currency, Transaction, TransactionStatus } from "../generated/prisma/client";
import type { TransactionEventType } from "../domain/transaction";
import type { OutboxEventInput } from "./outbox";

export type TransactionEventName = "REQUESTED" | TransactionEventType;

export const TRANSACTION_EVENT_PREFIX = "transaction.";

export interface TransactionEventPayload {
  transactionId: string;
  merchantId: string;
  salesUnitId: string;
  event: TransactionEventName;
  status: TransactionStatus;
  /** Money this change moved: requested, reserved, captured, released or refunded; 0 for a decline, an expiry or a withdrawn request. */
  operationAmount: number;
  amount: number;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  cancelledAmount: number;
  currency: Currency;
  reference: string;
  paymentLinkId: string | null;
  /** The row's version after the change: per payment, events are ordered by it. */
  version: number;
  /** ISO 8601. */
  occurredAt: string;
}

export function transactionEvent(row: Transaction, event: TransactionEventName, operationAmount: number, occurredAt: Date): OutboxEventInput {
  const payload: TransactionEventPayload = {
    transactionId: row.id,
    merchantId: row.merchantId,
    salesUnitId: row.salesUnitId,
    event,
    status: row.status,
    operationAmount,
    amount: row.amount,
    authorizedAmount: row.authorizedAmount,
    capturedAmount: row.capturedAmount,
    refundedAmount: row.refundedAmount,
    cancelledAmount: row.cancelledAmount,
    currency: row.currency,
    reference: row.reference,
    paymentLinkId: row.paymentLinkId,
    version: row.version,
    occurredAt: occurredAt.toISOString(),
  };
  return {
    type: `${TRANSACTION_EVENT_PREFIX}${event}`,
    aggregateType: "Transaction",
    aggregateId: row.id,
    merchantId: row.merchantId,
    salesUnitId: row.salesUnitId,
    payload: { ...payload },
  };
}

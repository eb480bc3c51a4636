/**
 * Money on payments (docs/transactions.md): request, capture, cancel, refund and the simulated customer of TEST sales
 * units (what a payment allows now is `Transaction.availableActions` in transaction.ts; the payer side of payment links
 * is `payPaymentLink` in payment-link-mutations.ts).
 * Thin: inputs in, src/services/transactions.ts, result out.
 */
import { builder } from "./builder";
import { Transaction } from "./transaction";
import { SalesUnit } from "./sales-unit";
import {
  AmountExceededError,
  ConflictError,
  IdempotencyConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from "../domain/errors";
import * as transactions from "../services/transactions";
import { callerFor } from "../services/caller";

const MONEY_ERRORS = [ValidationError, NotFoundError, InvalidStateError, AmountExceededError, IdempotencyConflictError];

const IDEMPOTENCY_KEY =
  "1–50 characters of a–z, A–Z, 0–9 and '-', e.g. a UUID. Retrying with the same key and input returns the first result and changes nothing; the same key with other input is an IdempotencyConflictError. A key is remembered for 7 days (unless the deployment is set otherwise), after which it is a new request.";

const moneyInput = (name: string, amountDescription: string) =>
  builder.inputType(name, {
    description: "The payment, the amount and the idempotency key of a capture, cancel or refund.",
    fields: (t) => ({
      transactionId: t.globalID({ for: Transaction, required: true, description: "The payment." }),
      amount: t.int({ description: amountDescription }),
      idempotencyKey: t.string({ required: true, description: IDEMPOTENCY_KEY }),
    }),
  });

const CaptureTransactionInput = moneyInput("CaptureTransactionInput", "Minor units; leave it out to capture everything still reserved.");
const RefundTransactionInput = moneyInput("RefundTransactionInput", "Minor units; leave it out to refund everything captured and not yet refunded.");
const CancelTransactionInput = moneyInput(
  "CancelTransactionInput",
  "A cancel releases everything still reserved; when given, the amount must be exactly that (a guard against releasing more than meant).",
);

const CustomerActionEnum = builder.enumType("CustomerAction", {
  description: "What the simulated customer does with a payment request.",
  values: {
    APPROVE: { description: "Approve in the app: the amount is reserved (or captured at once with direct capture)." },
    DECLINE: { description: "Decline in the app: the payment becomes REJECTED." },
  } as const,
});

const onTransaction = (action: "MANAGE_TRANSACTIONS" | "REQUEST_PAYMENT") => (_root: unknown, args: { input: { transactionId: { id: string } } }) => ({
  transaction: { action, transactionId: args.input.transactionId.id },
});

const moneyArgs = (input: { transactionId: { id: string }; amount?: number | null; idempotencyKey: string }) => ({
  transactionId: input.transactionId.id,
  amount: input.amount,
  idempotencyKey: input.idempotencyKey,
});

/** The request's loader of payments, which the permission check filled: the change is planned on that read. */
const paymentReader =
  (ctx: { loaders: { paymentForChange: { load(id: string): Promise<transactions.PaymentForChange | null> } } }): transactions.PaymentReader =>
  (id) =>
    ctx.loaders.paymentForChange.load(id);

builder.mutationFields((t) => ({
  requestPayment: t.fieldWithInput({
    type: Transaction,
    description: "Send a payment request to the customer's app. It waits 10 minutes for an answer, then expires.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit requesting the payment." }),
      amount: t.input.int({ required: true, description: "Minor units, 1–65 000 000, in the sales unit's currency." }),
      phoneNumber: t.input.string({ required: true, description: "The customer's mobile number (+47, +45, +358 or +46)." }),
      reference: t.input.string({ required: true, description: "Your order id: 8–50 characters of a–z, A–Z, 0–9 and '-', unique per sales unit." }),
      description: t.input.string({ required: true, description: "What the customer pays for, shown in the app: 3–100 characters." }),
      idempotencyKey: t.input.string({ required: true, description: IDEMPOTENCY_KEY }),
    },
    authScopes: (_root, { input }) => ({ salesUnit: { action: "REQUEST_PAYMENT", salesUnitId: input.salesUnitId.id } }),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError, ConflictError, IdempotencyConflictError] },
    resolve: (_root, { input }, ctx) =>
      transactions.requestPayment(ctx.services, callerFor(ctx), {
        salesUnitId: input.salesUnitId.id,
        amount: input.amount,
        phoneNumber: input.phoneNumber,
        reference: input.reference,
        description: input.description,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  captureTransaction: t.field({
    type: Transaction,
    description: "Capture all or part of a reservation; repeatable while the payment is RESERVED or CAPTURED, nothing of it was cancelled, the reservation has not run out and something reserved is left (after a refund the status is REFUNDED and no more is captured).",
    args: { input: t.arg({ type: CaptureTransactionInput, required: true, description: "What to capture." }) },
    authScopes: onTransaction("MANAGE_TRANSACTIONS"),
    errors: { types: MONEY_ERRORS },
    resolve: (_root, { input }, ctx) => transactions.captureTransaction(ctx.services, callerFor(ctx), moneyArgs(input), paymentReader(ctx)),
  }),
  cancelTransaction: t.field({
    type: Transaction,
    description: "Release what is reserved and not captured (or withdraw an unanswered request). Refused after a full capture.",
    args: { input: t.arg({ type: CancelTransactionInput, required: true, description: "What to cancel." }) },
    authScopes: onTransaction("MANAGE_TRANSACTIONS"),
    errors: { types: MONEY_ERRORS },
    resolve: (_root, { input }, ctx) => transactions.cancelTransaction(ctx.services, callerFor(ctx), moneyArgs(input), paymentReader(ctx)),
  }),
  refundTransaction: t.field({
    type: Transaction,
    description: "Refund all or part of what was captured, within 365 days of the last capture; repeatable.",
    args: { input: t.arg({ type: RefundTransactionInput, required: true, description: "What to refund." }) },
    authScopes: onTransaction("MANAGE_TRANSACTIONS"),
    errors: { types: MONEY_ERRORS },
    resolve: (_root, { input }, ctx) => transactions.refundTransaction(ctx.services, callerFor(ctx), moneyArgs(input), paymentReader(ctx)),
  }),
  simulateCustomerAction: t.fieldWithInput({
    type: Transaction,
    description: "Test sales units only: play the customer's app and approve or decline a payment request.",
    input: {
      transactionId: t.input.globalID({ for: Transaction, required: true, description: "The REQUESTED payment on a test sales unit." }),
      action: t.input.field({ type: CustomerActionEnum, required: true, description: "Approve or decline." }),
      idempotencyKey: t.input.string({ description: IDEMPOTENCY_KEY }),
    },
    authScopes: onTransaction("REQUEST_PAYMENT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError, IdempotencyConflictError] },
    resolve: (_root, { input }, ctx) =>
      transactions.simulateCustomerAction(
        ctx.services,
        callerFor(ctx),
        { transactionId: input.transactionId.id, action: input.action, idempotencyKey: input.idempotencyKey },
        paymentReader(ctx),
      ),
  }),
}));

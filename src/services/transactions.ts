/**
 * Money operations on payments (docs/transactions.md): payment requests, capture, cancel, refund, the customer's answer and
 * expiry. Each runs in one database transaction that locks the payment's row (SELECT … FOR UPDATE), applies the
 * pure state machine of src/domain/transaction.ts, and writes the new aggregates, the operation, the outbox event
 * and the audit row together. Concurrent operations on one payment queue on the row lock; a refusal rolls all of it
 * back. Permission checks happen before these are called (Pothos scopes).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Caller } from "./caller";
import type { Clock, Services } from "../deps";
import { Prisma, type Environment, type OperationType, type SalesUnitStatus, type Transaction } from "../generated/prisma/client";
import { holdingPaymentWhere, paymentLinkVerdict } from "../domain/payment-links";
import { ConflictError, IdempotencyConflictError, InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { requestHash, type IdempotentInput } from "../domain/idempotency";
import { validateDescription, validateEmail, validateIdempotencyKey, validateName, validateReference, validateText } from "../domain/identifiers";
import { assertCurrencyMatches, validateAmount } from "../domain/money";
import { parsePhoneNumber } from "../domain/phone";
import {
  applyOperation,
  availableActions,
  REQUEST_TTL_MS,
  requestTransaction,
  type AvailableActions,
  type TransactionContext,
  type TransactionOperation,
  type TransactionState,
} from "../domain/transaction";
import type { MerchantCountry } from "../domain/types";
import type { Tx } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { isUuid } from "../domain/ids";
import { appendOutbox } from "../events/outbox";
import { transactionEvent, type TransactionEventName } from "../events/transaction-events";
import { actorOf, auditInsertSql, type Actor } from "./audit";

/** Fifty operations on one payment queue for its row lock behind a pool of ten connections: give them time. */
export const MONEY_TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

/** Customer answers and payment-link payments come from the payment platform, not from a principal. */
export const PLATFORM_ACTOR: Actor = { kind: "PLATFORM", id: null, label: "Payment platform", requestId: null };

type Clocked = Pick<Services, "db" | "clock">;

export interface PayerDetails {
  payerName?: string | null;
  payerPhone?: string | null;
  payerEmail?: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Merchant operations

export interface MoneyOperationInput {
  transactionId: string;
  amount?: number | null;
  idempotencyKey: string;
}

export function captureTransaction(deps: Services, caller: Caller, input: MoneyOperationInput): Promise<Transaction> {
  return merchantOperation(deps, caller, "captureTransaction", input, { type: "CAPTURE", amount: input.amount });
}

export function refundTransaction(deps: Services, caller: Caller, input: MoneyOperationInput): Promise<Transaction> {
  return merchantOperation(deps, caller, "refundTransaction", input, { type: "REFUND", amount: input.amount });
}

/**
 * A cancel always releases the whole rest of the reservation; an `amount`, when given, must be exactly that, so a
 * client never releases more than it meant to.
 */
export function cancelTransaction(deps: Services, caller: Caller, input: MoneyOperationInput): Promise<Transaction> {
  return merchantOperation(deps, caller, "cancelTransaction", input, { type: "CANCEL" }, (released) => {
    if (input.amount != null && input.amount !== released) {
      throw new ValidationError(
        `A cancel releases everything still reserved (${released} in minor units); partial cancels are not possible. Leave the amount out, or capture what you need first.`,
        "amount",
      );
    }
  });
}

function merchantOperation(
  deps: Services,
  caller: Caller,
  name: string,
  input: MoneyOperationInput,
  operation: TransactionOperation,
  checkAmount?: (moved: number) => void,
): Promise<Transaction> {
  const key = validateIdempotencyKey(input.idempotencyKey);
  const actor = caller.actor;
  return deps.db.$transaction(
    (tx) =>
      idempotent(tx, caller, name, key, { transactionId: input.transactionId, amount: input.amount }, async () => {
        const { row, amount } = await operate(tx, deps.clock, input.transactionId, operation, actor);
        checkAmount?.(amount);
        return row;
      }),
    MONEY_TRANSACTION_OPTIONS,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Customer answers: simulated on TEST sales units, signed platform events on production ones

export type CustomerAction = "APPROVE" | "DECLINE";

export function simulateCustomerAction(
  deps: Services,
  caller: Caller,
  input: { transactionId: string; action: CustomerAction; idempotencyKey?: string | null },
): Promise<Transaction> {
  const key = input.idempotencyKey == null ? null : validateIdempotencyKey(input.idempotencyKey);
  const actor = caller.actor;
  const run = async (tx: Tx) => {
    const { row } = await operate(tx, deps.clock, input.transactionId, { type: input.action }, actor, {
      guard: (unit) => {
        if (unit.environment !== "TEST") {
          throw new InvalidStateError(
            `Sales unit ${unit.msn} is a production unit: its customers answer in the app. Simulate customers on a test sales unit.`,
          );
        }
      },
    });
    return row;
  };
  return deps.db.$transaction(
    (tx) => (key ? idempotent(tx, caller, "simulateCustomerAction", key, { transactionId: input.transactionId, action: input.action }, () => run(tx)) : run(tx)),
    MONEY_TRANSACTION_OPTIONS,
  );
}

export interface PlatformEvent {
  eventId: string;
  /** The payment's id, or its sales unit's MSN and the merchant's reference. */
  transactionId?: string | undefined;
  msn?: string | undefined;
  reference?: string | undefined;
  action: "APPROVE" | "DECLINE" | "EXPIRE";
  payer?: { name?: string | undefined; phoneNumber?: string | undefined; email?: string | undefined } | undefined;
}

/**
 * Applies a customer event from the payment platform (production sales units only). The event id is stored in the
 * same database transaction, so an event is applied at most once: a replay is a ConflictError.
 */
export async function applyPlatformEvent(services: Clocked, event: PlatformEvent, requestId: string): Promise<Transaction> {
  const payer = event.action === "APPROVE" && event.payer ? validPayer(event.payer) : undefined;
  try {
    return await services.db.$transaction(async (tx) => {
      const target = event.transactionId
        ? await tx.transaction.findUnique({ where: { id: event.transactionId }, select: { id: true } })
        : await tx.transaction.findFirst({ where: { reference: event.reference ?? "", salesUnit: { msn: event.msn ?? "" } }, select: { id: true } });
      if (!target) throw new NotFoundError("transaction");
      await tx.platformEventReceipt.create({ data: { eventId: event.eventId, receivedAt: services.clock.now() } });
      const { row } = await operate(tx, services.clock, target.id, { type: event.action }, { ...PLATFORM_ACTOR, requestId }, {
        ...(payer ? { payer } : {}),
        guard: (unit) => {
          if (unit.environment !== "PRODUCTION") {
            throw new InvalidStateError(`Sales unit ${unit.msn} is a test unit: its customers are simulated with simulateCustomerAction.`);
          }
        },
      });
      return row;
    }, MONEY_TRANSACTION_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`Event ${event.eventId} was already processed; each event is applied once.`, "eventId");
    }
    throw error;
  }
}

function validPayer(payer: NonNullable<PlatformEvent["payer"]>): PayerDetails {
  return {
    ...(payer.name ? { payerName: validateName(payer.name, "payer.name", 1, 100) } : {}),
    ...(payer.phoneNumber ? { payerPhone: parsePhoneNumber(payer.phoneNumber).e164 } : {}),
    ...(payer.email ? { payerEmail: validateEmail(payer.email, "payer.email") } : {}),
  };
}

/** Up to `batchSize` REQUESTED payments whose time ran out become EXPIRED; the count tells whether more are due. */
export async function expireDueBatch(services: Clocked, batchSize: number): Promise<number> {
  return services.db.$transaction(async (tx) => {
    // SKIP LOCKED: several gateway instances share the work, and a payment being answered right now is left alone.
    const due = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Transaction"
      WHERE status = 'REQUESTED' AND "expiresAt" <= ${services.clock.now()}
      ORDER BY "expiresAt" LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED`;
    for (const { id } of due) await operate(tx, services.clock, id, { type: "EXPIRE" }, actorOf(null, null));
    return due.length;
  }, MONEY_TRANSACTION_OPTIONS);
}

// ---------------------------------------------------------------------------------------------------------------
// New payments: payment requests and payments through payment links

export interface PaymentRequestInput {
  salesUnitId: string;
  amount: number;
  phoneNumber: string;
  reference: string;
  description: string;
  idempotencyKey: string;
}

export async function requestPayment(deps: Services, caller: Caller, input: PaymentRequestInput): Promise<Transaction> {
  const request = {
    salesUnitId: input.salesUnitId,
    amount: validateAmount(input.amount),
    phoneNumber: parsePhoneNumber(input.phoneNumber).e164,
    reference: validateReference(input.reference),
    description: validateDescription(input.description),
  };
  const key = validateIdempotencyKey(input.idempotencyKey);
  const actor = caller.actor;
  try {
    return await deps.db.$transaction(
      (tx) =>
        idempotent(tx, caller, "requestPayment", key, request, async () => {
          const unit = await tx.salesUnit.findUnique({ where: { id: request.salesUnitId } });
          if (!unit) throw new NotFoundError("sales unit");
          assertTakesPayments(unit);
          return createRequest(tx, deps.clock, actor, {
            unit,
            amount: request.amount,
            reference: request.reference,
            description: request.description,
            details: { payerPhone: request.phoneNumber },
          });
        }),
      MONEY_TRANSACTION_OPTIONS,
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`This sales unit already has a payment with reference ${request.reference}: use a new reference for a new order.`, "reference");
    }
    throw error;
  }
}

export interface PaymentLinkPaymentInput {
  slug: string;
  phoneNumber: string;
  payerName?: string | null;
  email?: string | null;
  shipping?: { name: string; address: string; method?: string | null } | null;
}

/**
 * The payer side of a payment link: a payment request to the payer's phone for the link's amount, referring to the
 * link. A single-use link takes one payment: refused while an attempt waits for the customer or once one was
 * approved (a declined or expired attempt leaves it open).
 */
export async function payPaymentLink(deps: Services, caller: Caller, input: PaymentLinkPaymentInput): Promise<Transaction> {
  const details = {
    payerPhone: parsePhoneNumber(input.phoneNumber).e164,
    payerName: input.payerName == null ? null : validateName(input.payerName, "payerName", 1, 100),
    payerEmail: input.email == null ? null : validateEmail(input.email),
    shippingName: input.shipping ? validateName(input.shipping.name, "shipping.name", 1, 100) : null,
    shippingAddress: input.shipping ? validateText(input.shipping.address, "shipping.address", 5, 200, "shipping address") : null,
    shippingMethod: input.shipping?.method == null ? null : validateText(input.shipping.method, "shipping.method", 1, 100, "shipping method"),
  };
  const clock = deps.clock;
  return deps.db.$transaction(async (tx) => {
    // Locking the link serialises concurrent payers of a single-use link.
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "PaymentLink" WHERE slug = ${input.slug} FOR UPDATE`;
    const link = locked ? await tx.paymentLink.findUnique({ where: { id: locked.id }, include: { salesUnit: true } }) : null;
    if (!link) throw new NotFoundError("payment link");
    const now = clock.now();
    const holdingPayment = link.singleUse ? await tx.transaction.findFirst({ where: holdingPaymentWhere(link.id, now), select: { status: true } }) : null;
    const verdict = paymentLinkVerdict({ ...link, holdingPayment }, now);
    if (verdict.kind !== "PAYABLE") throw new InvalidStateError(verdict.reason);
    assertCurrencyMatches(link.currency, link.salesUnit.currency);
    return createRequest(tx, clock, { ...PLATFORM_ACTOR, requestId: caller.requestId }, {
      unit: link.salesUnit,
      amount: link.amount,
      // 5 + 10 + 1 + 12 characters: within the 50 a reference may have, and unique without a lookup.
      reference: validateReference(`link-${link.slug}-${randomBytes(6).toString("hex")}`),
      description: link.description,
      paymentLinkId: link.id,
      details,
    });
  }, MONEY_TRANSACTION_OPTIONS);
}

function assertTakesPayments(unit: { name: string; status: SalesUnitStatus }): void {
  if (unit.status === "PROVISIONING") {
    throw new InvalidStateError(`Sales unit ${unit.name} is still being set up: wait until it is active, then try again.`);
  }
  if (unit.status === "DEACTIVATED") {
    throw new InvalidStateError(`Sales unit ${unit.name} is deactivated and takes no new payments: use an active sales unit.`);
  }
}

interface NewPayment {
  unit: { id: string; merchantId: string; currency: Transaction["currency"] };
  amount: number;
  reference: string;
  description: string;
  paymentLinkId?: string;
  details: PayerDetails & { shippingName?: string | null; shippingAddress?: string | null; shippingMethod?: string | null };
}

async function createRequest(tx: Tx, clock: Clock, actor: Actor, payment: NewPayment): Promise<Transaction> {
  const now = clock.now();
  const state = requestTransaction(payment.amount, now);
  const row = await tx.transaction.create({
    data: {
      merchantId: payment.unit.merchantId,
      salesUnitId: payment.unit.id,
      reference: payment.reference,
      description: payment.description,
      currency: payment.unit.currency,
      amount: state.amount,
      status: state.status,
      expiresAt: state.expiresAt,
      paymentLinkId: payment.paymentLinkId ?? null,
      ...payment.details,
      createdAt: now,
      updatedAt: now,
    },
  });
  await recordChange(tx, { row, event: "REQUESTED", moved: row.amount, steps: [{ type: "REQUEST", amount: row.amount }], actor, now });
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// The one path every change of an existing payment takes

interface OperateOptions {
  /** Refuses before the state machine runs, e.g. a simulated answer on a production unit. */
  guard?: (unit: { environment: Environment; msn: string }) => void;
  /** What the customer shared when approving. */
  payer?: PayerDetails;
}

async function operate(
  tx: Tx,
  clock: Clock,
  transactionId: string,
  operation: TransactionOperation,
  actor: Actor,
  options: OperateOptions = {},
): Promise<{ row: Transaction; amount: number }> {
  const related = await lockWithRelated(tx, transactionId);
  if (!related) throw new NotFoundError("transaction");
  const current = { ...(await tx.transaction.findUniqueOrThrow({ where: { id: transactionId } })), ...related };
  options.guard?.(current.salesUnit);
  // Read after the lock: a request that queued behind others acts at the time it gets its turn.
  const now = clock.now();
  const result = applyOperation(transactionState(current), operation, transactionContext(current, now));
  const next = result.state;
  const row = await tx.transaction.update({
    where: { id: transactionId },
    data: {
      status: next.status,
      authorizedAmount: next.authorizedAmount,
      capturedAmount: next.capturedAmount,
      refundedAmount: next.refundedAmount,
      cancelledAmount: next.cancelledAmount,
      reservedAt: next.reservedAt,
      firstCapturedAt: current.firstCapturedAt ?? (next.capturedAmount > 0 ? now : null),
      lastCapturedAt: next.lastCapturedAt,
      version: { increment: 1 },
      updatedAt: now,
      ...options.payer,
    },
  });
  if (operation.type === "APPROVE" && current.paymentLink?.singleUse) {
    await tx.paymentLink.update({ where: { id: current.paymentLink.id }, data: { active: false, updatedAt: now } });
  }
  await recordChange(tx, { row, event: result.eventType, moved: result.amount, steps: historySteps(operation, result.eventType, result.amount, current.amount), actor, now });
  return { row, amount: result.amount };
}

interface Related {
  salesUnit: { environment: Environment; msn: string; directCapture: boolean; lateCapture: boolean };
  merchant: { country: string };
  paymentLink: { id: string; singleUse: boolean } | null;
}

/**
 * Locks the payment's row (SELECT … FOR UPDATE OF the payment only) until the transaction ends and reads, in the same
 * statement, what the operation needs of its sales unit, merchant and payment link; null when there is no such
 * payment. Ids come from clients: one that is not a UUID names no row.
 */
async function lockWithRelated(tx: Tx, transactionId: string): Promise<Related | null> {
  if (!isUuid(transactionId)) return null;
  const rows = await tx.$queryRaw<
    { environment: Environment; msn: string; directCapture: boolean; lateCapture: boolean; country: string; linkId: string | null; singleUse: boolean | null }[]
  >`SELECT s.environment::text AS environment, s.msn, s."directCapture", s."lateCapture", m.country::text AS country, l.id::text AS "linkId", l."singleUse"
    FROM "Transaction" t JOIN "SalesUnit" s ON s.id = t."salesUnitId" JOIN "Merchant" m ON m.id = t."merchantId"
    LEFT JOIN "PaymentLink" l ON l.id = t."paymentLinkId"
    WHERE t.id = ${transactionId}::uuid FOR UPDATE OF t`;
  const row = rows[0];
  if (!row) return null;
  return {
    salesUnit: { environment: row.environment, msn: row.msn, directCapture: row.directCapture, lateCapture: row.lateCapture },
    merchant: { country: row.country },
    paymentLink: row.linkId === null ? null : { id: row.linkId, singleUse: row.singleUse === true },
  };
}

/**
 * The operation rows of the payment's history. A declined or expired request shows the amount that was asked for,
 * and an approval with direct capture is an approval followed by a capture, as in the demo data and settlements.
 */
function historySteps(operation: TransactionOperation, event: TransactionEventName, moved: number, requested: number): { type: OperationType; amount: number }[] {
  switch (operation.type) {
    case "APPROVE":
      return event === "CAPTURED" ? [{ type: "APPROVE", amount: moved }, { type: "CAPTURE", amount: moved }] : [{ type: "APPROVE", amount: moved }];
    case "DECLINE":
    case "EXPIRE":
      return [{ type: operation.type, amount: requested }];
    default:
      return [{ type: operation.type, amount: moved }];
  }
}

interface Change {
  row: Transaction;
  event: TransactionEventName;
  moved: number;
  steps: { type: OperationType; amount: number }[];
  actor: Actor;
  now: Date;
}

/**
 * The operation rows, the outbox event and the audit row of one change, in the caller's database transaction and in
 * one statement (the outbox insert with the history and audit inserts as its CTEs).
 */
async function recordChange(tx: Tx, change: Change): Promise<void> {
  const { row, actor, now } = change;
  const operations = change.steps.map((step, index) => ({
    id: randomUUID(),
    type: step.type,
    amount: step.amount,
    // The history sorts by time: a capture made with the approval follows it by a millisecond.
    createdAt: new Date(now.getTime() + index).toISOString(),
  }));
  // Timestamps are kept as UTC wall clock: the ISO text's zone is dropped by the cast to timestamp.
  const history = Prisma.sql`INSERT INTO "TransactionOperation" ("id", "transactionId", "type", "amount", "actorKind", "actorId", "actorLabel", "createdAt")
    SELECT o.id, ${row.id}::uuid, o.type::"OperationType", o.amount, ${actor.kind}::"PrincipalKind", ${actor.id}, ${actor.label}, o."createdAt"::timestamp(3)
    FROM jsonb_to_recordset(${JSON.stringify(operations)}::jsonb) AS o(id uuid, type text, amount int, "createdAt" text)`;
  const audit = auditInsertSql(actor, {
    merchantId: row.merchantId,
    action: `transaction.${change.steps[0]?.type.toLowerCase()}`,
    objectType: "Transaction",
    objectId: row.id,
    data: { event: change.event, amount: change.moved, status: row.status, version: row.version },
  });
  await appendOutbox(tx, transactionEvent(row, change.event, change.moved, now), [history, audit]);
}

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys

/**
 * Runs `run` once per (principal, operation, key). The advisory lock makes a concurrent request with the same key
 * wait for the first; a replay with the same input gets the same payment and changes nothing, one with other input
 * is an IdempotencyConflictError. The record is written only when `run` succeeds, so a refused request can be retried
 * with its key.
 */
async function idempotent(
  tx: Tx,
  caller: Caller,
  operation: string,
  key: string,
  input: IdempotentInput,
  run: () => Promise<Transaction>,
): Promise<Transaction> {
  const principal = actorOf(caller.principal, null);
  const scope = `${principal.kind}:${principal.id}:${operation}`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${scope}\n${key}`}))`;
  const hash = requestHash(operation, input);
  const previous = await tx.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } });
  if (previous) {
    if (previous.requestHash !== hash) throw new IdempotencyConflictError();
    const { transactionId } = previous.response as { transactionId: string };
    return tx.transaction.findUniqueOrThrow({ where: { id: transactionId } });
  }
  const result = await run();
  await tx.idempotencyRecord.create({ data: { scope, key, operation, requestHash: hash, response: { transactionId: result.id } } });
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a row into the domain's terms

type RowWithUnit = Transaction & {
  salesUnit: { directCapture: boolean; lateCapture: boolean };
  merchant: { country: string };
};

export function transactionState(row: Transaction): TransactionState {
  return {
    status: row.status,
    amount: row.amount,
    authorizedAmount: row.authorizedAmount,
    capturedAmount: row.capturedAmount,
    refundedAmount: row.refundedAmount,
    cancelledAmount: row.cancelledAmount,
    createdAt: row.createdAt,
    // The column is nullable; a request without an expiry lasts the standard time from its creation.
    expiresAt: row.expiresAt ?? new Date(row.createdAt.getTime() + REQUEST_TTL_MS),
    reservedAt: row.reservedAt,
    lastCapturedAt: row.lastCapturedAt,
  };
}

function transactionContext(row: RowWithUnit, now: Date): TransactionContext {
  return {
    // Merchants exist only in NO, DK and FI (SE has users, not merchants).
    country: row.merchant.country as MerchantCountry,
    directCapture: row.salesUnit.directCapture,
    lateCapture: row.salesUnit.lateCapture,
    now,
  };
}

/** What can be done with the payment at `now`, by the same rules the operations enforce. */
export function availableActionsOf(row: RowWithUnit, now: Date): AvailableActions {
  return availableActions(transactionState(row), transactionContext(row, now));
}

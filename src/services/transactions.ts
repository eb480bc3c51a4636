/**
 * Money operations on payments (docs/transactions.md): payment requests, capture, cancel, refund, the customer's answer and
 * expiry. Each change commits its new aggregates, the operation, the outbox event, the audit row and the idempotency
 * record together or not at all, after the pure state machine of src/domain/transaction.ts has decided. Captures,
 * cancels, refunds and simulated answers try it optimistically first: an unlocked read, and one statement that writes
 * it all only if the payment's version is still the one read (`changePayment`). Everything else, and every optimistic
 * attempt that wrote nothing, runs in one database transaction that locks the payment's row (SELECT … FOR UPDATE),
 * where concurrent operations on one payment queue.
 * A refusal writes nothing. Permission checks happen before these are called (Pothos scopes).
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
import { directQueries, type Tx } from "../db/client";
import { isUniqueViolation, SQLSTATE, sqlStateOf } from "../db/errors";
import { isUuid } from "../domain/ids";
import { appendOutbox, type OutboxWrite } from "../events/outbox";
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

export function captureTransaction(deps: Services, caller: Caller, input: MoneyOperationInput, read?: PaymentReader): Promise<Transaction> {
  return merchantOperation(deps, caller, "captureTransaction", input, { type: "CAPTURE", amount: input.amount }, read);
}

export function refundTransaction(deps: Services, caller: Caller, input: MoneyOperationInput, read?: PaymentReader): Promise<Transaction> {
  return merchantOperation(deps, caller, "refundTransaction", input, { type: "REFUND", amount: input.amount }, read);
}

/**
 * A cancel always releases the whole rest of the reservation; an `amount`, when given, must be exactly that, so a
 * client never releases more than it meant to.
 */
export function cancelTransaction(deps: Services, caller: Caller, input: MoneyOperationInput, read?: PaymentReader): Promise<Transaction> {
  const check = (released: number) => {
    if (input.amount != null && input.amount !== released) {
      throw new ValidationError(
        `A cancel releases everything still reserved (${released} in minor units); partial cancels are not possible. Leave the amount out, or capture what you need first.`,
        "amount",
      );
    }
  };
  return merchantOperation(deps, caller, "cancelTransaction", input, { type: "CANCEL" }, read, check);
}

function merchantOperation(
  deps: Services,
  caller: Caller,
  name: string,
  input: MoneyOperationInput,
  operation: TransactionOperation,
  read: PaymentReader | undefined,
  check?: (moved: number) => void,
): Promise<Transaction> {
  const key = validateIdempotencyKey(input.idempotencyKey);
  const claim = idempotencyClaim(caller, name, key, { transactionId: input.transactionId, amount: input.amount }, input.transactionId);
  const options = { ...(check ? { check } : {}), ...(read ? { read } : {}) };
  return changePayment(deps, { claim, transactionId: input.transactionId, operation, actor: caller.actor, options });
}

// ---------------------------------------------------------------------------------------------------------------
// Customer answers: simulated on TEST sales units, signed platform events on production ones

export type CustomerAction = "APPROVE" | "DECLINE";

export function simulateCustomerAction(
  deps: Services,
  caller: Caller,
  input: { transactionId: string; action: CustomerAction; idempotencyKey?: string | null },
  read?: PaymentReader,
): Promise<Transaction> {
  const key = input.idempotencyKey == null ? null : validateIdempotencyKey(input.idempotencyKey);
  const claim = key
    ? idempotencyClaim(caller, "simulateCustomerAction", key, { transactionId: input.transactionId, action: input.action }, input.transactionId)
    : null;
  const guard = (unit: { environment: Environment; msn: string }) => {
    if (unit.environment !== "TEST") {
      throw new InvalidStateError(`Sales unit ${unit.msn} is a production unit: its customers answer in the app. Simulate customers on a test sales unit.`);
    }
  };
  const options = { guard, ...(read ? { read } : {}) };
  return changePayment(deps, { claim, transactionId: input.transactionId, operation: { type: input.action }, actor: caller.actor, options });
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
      return operate(tx, services.clock, target.id, { type: event.action }, { ...PLATFORM_ACTOR, requestId }, {
        ...(payer ? { payer } : {}),
        guard: (unit) => {
          if (unit.environment !== "PRODUCTION") {
            throw new InvalidStateError(`Sales unit ${unit.msn} is a test unit: its customers are simulated with simulateCustomerAction.`);
          }
        },
      });
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
  // Drawn here so the idempotency record can name the payment before it exists.
  const id = randomUUID();
  try {
    return await deps.db.$transaction(
      (tx) =>
        idempotent(tx, idempotencyClaim(caller, "requestPayment", key, request, id), async () => {
          const unit = await tx.salesUnit.findUnique({ where: { id: request.salesUnitId } });
          if (!unit) throw new NotFoundError("sales unit");
          assertTakesPayments(unit);
          return createRequest(tx, deps.clock, actor, {
            id,
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
  /** The payer page's own key (one per page load): a retry after a lost answer gets the first answer, not a second request. */
  idempotencyKey?: string | null;
}

/**
 * The payer side of a payment link: a payment request to the payer's phone for the link's amount, referring to the
 * link. A single-use link takes one payment: refused while an attempt waits for the customer or once one was
 * approved (a declined or expired attempt leaves it open). With an idempotency key (the payer needs no login, so the
 * key is scoped to the link), the same request again is answered with the payment the first one made.
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
  const key = input.idempotencyKey == null ? null : validateIdempotencyKey(input.idempotencyKey);
  // Drawn here so the idempotency record can name the payment before it exists.
  const id = randomUUID();
  const claim: IdempotencyClaim | null = key
    ? { scope: `PAYER:${input.slug}:payPaymentLink`, key, operation: "payPaymentLink", hash: requestHash("payPaymentLink", { slug: input.slug, ...details }), transactionId: id }
    : null;
  const pay = (tx: Tx) => payThroughLink(tx, clock, caller, input.slug, details, id);
  return deps.db.$transaction((tx) => (claim ? idempotent(tx, claim, () => pay(tx)) : pay(tx)), MONEY_TRANSACTION_OPTIONS);
}

/** `payPaymentLink` inside its database transaction: the link locked and judged, then the request (as payment `id`). */
async function payThroughLink(tx: Tx, clock: Clock, caller: Caller, slug: string, details: NewPayment["details"], id: string): Promise<Transaction> {
  // Locking the link serialises concurrent payers of a single-use link.
  const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "PaymentLink" WHERE slug = ${slug} FOR UPDATE`;
  const link = locked ? await tx.paymentLink.findUnique({ where: { id: locked.id }, include: { salesUnit: true } }) : null;
  if (!link) throw new NotFoundError("payment link");
  const now = clock.now();
  const holdingPayment = link.singleUse ? await tx.transaction.findFirst({ where: holdingPaymentWhere(link.id, now), select: { status: true } }) : null;
  const verdict = paymentLinkVerdict({ ...link, holdingPayment }, now);
  if (verdict.kind !== "PAYABLE") throw new InvalidStateError(verdict.reason);
  assertCurrencyMatches(link.currency, link.salesUnit.currency);
  return createRequest(tx, clock, { ...PLATFORM_ACTOR, requestId: caller.requestId }, {
    id,
    unit: link.salesUnit,
    amount: link.amount,
    // 5 + 10 + 1 + 12 characters: within the 50 a reference may have, and unique without a lookup.
    reference: validateReference(`link-${link.slug}-${randomBytes(6).toString("hex")}`),
    description: link.description,
    paymentLinkId: link.id,
    details,
  });
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
  /** Given when the payment's id must be known before it is created (an idempotency record names it). */
  id?: string;
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
      ...(payment.id ? { id: payment.id } : {}),
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
  /** Refuses after it, on the amount the operation would move (a cancel's amount must be all that it releases). */
  check?: (moved: number) => void;
  /** What the customer shared when approving. */
  payer?: PayerDetails;
}

interface ChangeOptions extends OperateOptions {
  /** Where the optimistic attempt reads the payment; by default one statement of its own. */
  read?: PaymentReader;
}

/** One requested change of an existing payment: what to do to which payment, for whom, under which key (if any). */
interface ChangeRequest {
  claim: IdempotencyClaim | null;
  transactionId: string;
  operation: TransactionOperation;
  actor: Actor;
  options: ChangeOptions;
}

/**
 * A merchant's or a simulated customer's change of a payment, made optimistically first: the payment as read without
 * a lock (by the request's permission check, normally: see `PaymentReader`), the state machine's decision, and one
 * statement that writes the change and claims the idempotency key, only if the payment is still the version that was
 * read. No database transaction is held open, and a capture costs the permission check's read and that statement.
 * The change is made again the locked way (`operate` in one database transaction, where changes of one payment queue
 * on its row lock and a used key is looked up before anything else) when the optimistic write took no effect: the
 * payment changed since it was read, or the key was used. With a key, a refusal is also given the locked way, so a
 * retried request is answered as its first one was, not refused.
 */
async function changePayment(deps: Clocked, request: ChangeRequest): Promise<Transaction> {
  const optimistic = await changeUnlocked(deps, request);
  if (optimistic) return optimistic;
  const { claim, transactionId, operation, actor, options } = request;
  return deps.db.$transaction(async (tx) => {
    const run = () => operate(tx, deps.clock, transactionId, operation, actor, options);
    return claim ? idempotent(tx, claim, run) : run();
  }, MONEY_TRANSACTION_OPTIONS);
}

/** The optimistic attempt of `changePayment`; null when it wrote nothing and the change must be made the locked way. */
async function changeUnlocked(deps: Clocked, { claim, transactionId, operation, actor, options }: ChangeRequest): Promise<Transaction | null> {
  // Outside a database transaction: both statements go to pg directly (directQueries).
  const db = directQueries(deps.db);
  const current = options.read ? await options.read(transactionId) : (await readPaymentsForChange(db, [transactionId])).get(transactionId);
  if (!current) return null;
  let change: Change;
  try {
    change = planChange(current, operation, actor, options, deps.clock.now());
  } catch (refusal) {
    if (claim) return null;
    throw refusal;
  }
  try {
    await recordChange(db, change, claim);
    return change.row;
  } catch (error) {
    // Another change of the payment committed since the read (the update's version check), or the key was used; a
    // deadlock should not happen (keys are taken before rows), but would also have written nothing.
    const state = sqlStateOf(error);
    if (state === SQLSTATE.serializationFailure || state === SQLSTATE.uniqueViolation || state === SQLSTATE.deadlockDetected) return null;
    throw error;
  }
}

/** A change of an existing payment inside the caller's database transaction, with the payment's row locked. */
async function operate(
  tx: Tx,
  clock: Clock,
  transactionId: string,
  operation: TransactionOperation,
  actor: Actor,
  options: OperateOptions = {},
): Promise<Transaction> {
  const locked = await lockForChange(tx, transactionId, operation.type === "APPROVE");
  if (!locked) throw new NotFoundError("transaction");
  // Read after the lock: a request that queued behind others acts at the time it gets its turn.
  const change = planChange(locked, operation, actor, options, clock.now());
  await recordChange(tx, change);
  return change.row;
}

export interface Related {
  salesUnit: { environment: Environment; msn: string; directCapture: boolean; lateCapture: boolean };
  merchant: { country: string };
  /** `paidBy`: the payment a single-use link was paid with, if it was. */
  paymentLink: { id: string; singleUse: boolean; paidBy: string | null } | null;
}

/** A payment as read for a change: its row and what the operation needs of its sales unit, merchant and link. */
export interface PaymentForChange {
  row: Transaction;
  related: Related;
}

/**
 * Where a change reads the payment it is planned on, without a lock. A GraphQL request passes its loader of payments
 * (`paymentForChange` in src/context.ts), which the mutation's permission check has already filled: the change then
 * costs no read of its own. Any reader will do, however old its answer: the write checks the payment's version.
 */
export type PaymentReader = (transactionId: string) => Promise<PaymentForChange | null>;

/**
 * The state machine's answer to `operation` on `current` at `now`, as the change to write: the payment's row as the
 * change leaves it (built here, not read back), and its history, event and audit rows. Throws the domain's refusal.
 */
function planChange(current: PaymentForChange, operation: TransactionOperation, actor: Actor, options: OperateOptions, now: Date): Change {
  const { row: before, related } = current;
  options.guard?.(related.salesUnit);
  const link = related.paymentLink;
  if (operation.type === "APPROVE" && link?.singleUse && link.paidBy !== null && link.paidBy !== before.id) {
    throw new InvalidStateError("This single-use payment link was already paid with another payment: this one cannot be approved.");
  }
  const result = applyOperation(transactionState(before), operation, transactionContext({ ...before, ...related }, now));
  options.check?.(result.amount);
  const next = result.state;
  const row: Transaction = {
    ...before,
    ...options.payer,
    status: next.status,
    authorizedAmount: next.authorizedAmount,
    capturedAmount: next.capturedAmount,
    refundedAmount: next.refundedAmount,
    cancelledAmount: next.cancelledAmount,
    reservedAt: next.reservedAt,
    firstCapturedAt: before.firstCapturedAt ?? (next.capturedAmount > 0 ? now : null),
    lastCapturedAt: next.lastCapturedAt,
    version: before.version + 1,
    updatedAt: now,
  };
  const closesLink = operation.type === "APPROVE" && related.paymentLink?.singleUse === true ? related.paymentLink.id : null;
  const steps = historySteps(operation, result.eventType, result.amount, before.amount);
  return { row, event: result.eventType, moved: result.amount, steps, actor, now, update: { closesLink } };
}

/**
 * What a change reads: the payment's own columns (`t.*`) and, named apart from them, what the operation needs of its
 * sales unit, merchant and payment link. Followed by the WHERE of one payment or of several.
 */
const PAYMENT_FOR_CHANGE = Prisma.raw(`SELECT t.*, s.environment::text AS "unitEnvironment", s.msn AS "unitMsn",
    s."directCapture" AS "unitDirectCapture", s."lateCapture" AS "unitLateCapture", m.country::text AS "merchantCountry",
    l.id::text AS "linkId", l."singleUse" AS "linkSingleUse", l."paidTransactionId"::text AS "linkPaidBy"
  FROM "Transaction" t JOIN "SalesUnit" s ON s.id = t."salesUnitId" JOIN "Merchant" m ON m.id = t."merchantId"
  LEFT JOIN "PaymentLink" l ON l.id = t."paymentLinkId"`);

type CurrentRow = Transaction & {
  unitEnvironment: Environment;
  unitMsn: string;
  unitDirectCapture: boolean;
  unitLateCapture: boolean;
  merchantCountry: string;
  linkId: string | null;
  linkSingleUse: boolean | null;
  linkPaidBy: string | null;
};

function currentOf(found: CurrentRow): PaymentForChange {
  const { unitEnvironment, unitMsn, unitDirectCapture, unitLateCapture, merchantCountry, linkId, linkSingleUse, linkPaidBy, ...row } = found;
  return {
    row,
    related: {
      salesUnit: { environment: unitEnvironment, msn: unitMsn, directCapture: unitDirectCapture, lateCapture: unitLateCapture },
      merchant: { country: merchantCountry },
      paymentLink: linkId === null ? null : { id: linkId, singleUse: linkSingleUse === true, paidBy: linkPaidBy },
    },
  };
}

/**
 * Locks the payment's row (SELECT … FOR UPDATE OF the payment only) until the transaction ends and reads it with
 * what the operation needs; null when there is no such payment. Under READ COMMITTED, a row that another transaction
 * changed while this one waited for the lock is returned as that transaction committed it. Ids come from clients:
 * one that is not a UUID names no row. `approving`: also the row of its single-use payment link, if it has one.
 */
async function lockForChange(tx: Tx, transactionId: string, approving = false): Promise<PaymentForChange | null> {
  if (!isUuid(transactionId)) return null;
  const rows = await tx.$queryRaw<CurrentRow[]>`${PAYMENT_FOR_CHANGE} WHERE t.id = ${transactionId}::uuid FOR UPDATE OF t`;
  if (!rows[0]) return null;
  const current = currentOf(rows[0]);
  const link = current.related.paymentLink;
  if (approving && link?.singleUse) {
    // An approval locks the link's row too (after the payment's), so two payments through one single-use link are
    // approved one after the other, and the second sees that the first paid it.
    const [locked] = await tx.$queryRaw<{ paidBy: string | null }[]>`SELECT "paidTransactionId"::text AS "paidBy" FROM "PaymentLink" WHERE id = ${link.id}::uuid FOR UPDATE`;
    link.paidBy = locked?.paidBy ?? null;
  }
  return current;
}

/** Payments as `lockForChange` reads them, without a lock, by id, in one statement; unknown and malformed ids are left out. */
export async function readPaymentsForChange(db: Pick<Tx, "$queryRaw">, ids: readonly string[]): Promise<Map<string, PaymentForChange>> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return new Map();
  const rows = await db.$queryRaw<CurrentRow[]>`${PAYMENT_FOR_CHANGE} WHERE t.id = ANY(${valid}::uuid[])`;
  return new Map(rows.map((row) => [row.id, currentOf(row)]));
}

/** A timestamp as the columns keep it, UTC wall clock: the ISO text's zone is dropped by the cast to timestamp. */
const utcText = (date: Date | null): string | null => date?.toISOString() ?? null;

/**
 * The UPDATE that writes what an operation changes in the payment's row, only if the row is still the version the
 * change was planned on; it is the CTE `payment` of the change's statement, whose guard (`recordChange`) fails the
 * whole statement when it changed no row. Under the row lock the version always matches. `afterClaim`: the statement
 * also claims an idempotency key (the CTE `claim`); the update reads the claim's result, which makes PostgreSQL insert
 * the key before it locks the row. Keys before rows, as the locked way takes them: two requests with one key never
 * wait for each other in opposite orders.
 */
function updateSql(row: Transaction, afterClaim: boolean): OutboxWrite {
  return {
    name: "payment",
    sql: Prisma.sql`UPDATE "Transaction" SET status = ${row.status}::"TransactionStatus", "authorizedAmount" = ${row.authorizedAmount},
      "capturedAmount" = ${row.capturedAmount}, "refundedAmount" = ${row.refundedAmount}, "cancelledAmount" = ${row.cancelledAmount},
      "reservedAt" = ${utcText(row.reservedAt)}::timestamp(3), "firstCapturedAt" = ${utcText(row.firstCapturedAt)}::timestamp(3),
      "lastCapturedAt" = ${utcText(row.lastCapturedAt)}::timestamp(3), "payerName" = ${row.payerName}, "payerPhone" = ${row.payerPhone},
      "payerEmail" = ${row.payerEmail}, version = ${row.version}, "updatedAt" = ${utcText(row.updatedAt)}::timestamp(3)
    WHERE id = ${row.id}::uuid AND version = ${row.version - 1}${afterClaim ? Prisma.sql` AND EXISTS (SELECT FROM claim)` : Prisma.empty} RETURNING id`,
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
  /** A change of an existing payment: its row is updated (to `row`), and a single-use payment link may close. */
  update?: { closesLink: string | null };
}

/**
 * The operation rows, the outbox event and the audit row of one change, the payment's update, and the idempotency
 * key's `claim` when given, in one statement: the outbox insert with all the others as its CTEs. One statement cannot
 * half-succeed, so it needs no database transaction of its own. An update that changed no row (the payment is no
 * longer the version read) fails the statement with serialization_failure (SQLSTATE 40001); a used key fails it with
 * a unique violation. Either way it wrote nothing.
 */
async function recordChange(db: Pick<Tx, "$queryRaw">, change: Change, claim: IdempotencyClaim | null = null): Promise<void> {
  const { row, actor, now } = change;
  const operations = change.steps.map((step, index) => ({
    id: randomUUID(),
    type: step.type,
    amount: step.amount,
    // The history sorts by time: a capture made with the approval follows it by a millisecond.
    createdAt: utcText(new Date(now.getTime() + index)),
  }));
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
  const writes: OutboxWrite[] = claim ? [{ name: "claim", sql: Prisma.sql`${claimSql(claim, { answer: row })} RETURNING id` }] : [];
  if (change.update) {
    writes.push(updateSql(row, claim !== null));
    const link = change.update.closesLink;
    // Only while no other payment paid it: a second approval through the link (read before the first committed)
    // finds the row taken once it gets the row's lock, and the guard below refuses the whole change.
    if (link) {
      writes.push({
        name: "closed",
        sql: Prisma.sql`UPDATE "PaymentLink" SET active = false, "paidTransactionId" = ${row.id}::uuid, "updatedAt" = ${utcText(now)}::timestamp(3)
          WHERE id = ${link}::uuid AND ("paidTransactionId" IS NULL OR "paidTransactionId" = ${row.id}::uuid) RETURNING id`,
      });
    }
  }
  const linkGuard = change.update?.closesLink ? Prisma.sql` AND expect_rows((SELECT count(*) FROM closed), 1, ${"The single-use payment link was paid meanwhile"})` : Prisma.empty;
  const guard = change.update ? Prisma.sql`expect_rows((SELECT count(*) FROM payment), 1, ${`Payment ${row.id} changed since it was read`})${linkGuard}` : undefined;
  await appendOutbox(db, transactionEvent(row, change.event, change.moved, now), [...writes, history, audit], guard);
}

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys

/**
 * One request's use of an idempotency key: unique per (principal, operation, key), with the hash of the request's
 * input and the payment it acts on, or creates (its id drawn beforehand), which is the record's answer.
 */
interface IdempotencyClaim {
  scope: string;
  key: string;
  operation: string;
  hash: string;
  transactionId: string;
}

function idempotencyClaim(caller: Caller, operation: string, key: string, input: IdempotentInput, transactionId: string): IdempotencyClaim {
  const principal = actorOf(caller.principal, null);
  return { scope: `${principal.kind}:${principal.id}:${operation}`, key, operation, hash: requestHash(operation, input), transactionId };
}

/**
 * Inserts the key's record, with the request's `answer` when it is known already (the optimistic statement plans the
 * change first); a key already used fails the statement (unique violation), or inserts nothing with `orNothing`.
 */
function claimSql(claim: IdempotencyClaim, { orNothing = false, answer }: { orNothing?: boolean; answer?: Transaction } = {}): Prisma.Sql {
  return Prisma.sql`INSERT INTO "IdempotencyRecord" ("id", "scope", "key", "operation", "requestHash", "response", "createdAt")
    VALUES (${randomUUID()}::uuid, ${claim.scope}, ${claim.key}, ${claim.operation}, ${claim.hash}, ${recordedResponse(claim, answer)}::jsonb,
      (clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3))${orNothing ? Prisma.sql` ON CONFLICT ("scope", "key") DO NOTHING RETURNING id` : Prisma.empty}`;
}

/**
 * What an answer says of its payment and a replay repeats: the state and amounts the request left it in. The rest of
 * the payment (its reference, its payer, who paid through which link) is read as it is now; the record keeps no
 * personal data.
 */
const ANSWERED_FIELDS = [
  "status",
  "amount",
  "authorizedAmount",
  "capturedAmount",
  "refundedAmount",
  "cancelledAmount",
  "expiresAt",
  "reservedAt",
  "firstCapturedAt",
  "lastCapturedAt",
  "version",
  "updatedAt",
] as const satisfies readonly (keyof Transaction)[];

type Answered = Pick<Transaction, (typeof ANSWERED_FIELDS)[number]>;

/** The key record's `response`: the payment the request acted on, and what it answered of it. */
function recordedResponse(claim: IdempotencyClaim, answer: Transaction | undefined): string {
  return JSON.stringify({ transactionId: claim.transactionId, ...(answer ? { answer: Object.fromEntries(ANSWERED_FIELDS.map((field) => [field, answer[field]])) } : {}) });
}

/**
 * The first request's answer for a used key, when this request's input is the same (other input under the same key is
 * an IdempotencyConflictError): the payment as it is now, with the state and amounts the first request answered. A
 * record from before answers were kept gives the payment as it is now.
 */
async function replayed(tx: Tx, claim: IdempotencyClaim, previous: { requestHash: string; response: unknown }): Promise<Transaction> {
  if (previous.requestHash !== claim.hash) throw new IdempotencyConflictError();
  const { transactionId, answer } = previous.response as { transactionId: string; answer?: Record<keyof Answered, unknown> };
  const now = await tx.transaction.findUniqueOrThrow({ where: { id: transactionId } });
  if (!answer) return now;
  const then = Object.fromEntries(ANSWERED_FIELDS.map((field) => [field, DATE_FIELDS.has(field) ? dateOrNull(answer[field]) : answer[field]]));
  return { ...now, ...(then as Answered) };
}

const DATE_FIELDS: ReadonlySet<string> = new Set(["expiresAt", "reservedAt", "firstCapturedAt", "lastCapturedAt", "updatedAt"]);

const dateOrNull = (value: unknown): Date | null => (typeof value === "string" ? new Date(value) : null);

/**
 * Runs `run` once per claimed key, in the caller's database transaction; `run` acts on, or creates, the claim's
 * payment. The key is claimed first, by inserting its record: the unique index on (scope, key) makes a concurrent
 * request with the same key wait there until the first one's transaction ends. A replay with the same input gets the
 * same payment and changes nothing. The record commits only with what `run` did, so a refused request (rolled back)
 * can be retried with its key.
 */
async function idempotent(tx: Tx, claim: IdempotencyClaim, run: () => Promise<Transaction>): Promise<Transaction> {
  const claimed = await tx.$queryRaw<{ id: string }[]>`${claimSql(claim, { orNothing: true })}`;
  if (claimed.length > 0) {
    const result = await run();
    if (result.id !== claim.transactionId) throw new Error(`${claim.operation} answered payment ${result.id}, not ${claim.transactionId} its idempotency record names`);
    // The answer is known only now: the record keeps it for replays, in the same database transaction.
    await tx.$executeRaw`UPDATE "IdempotencyRecord" SET response = ${recordedResponse(claim, result)}::jsonb WHERE id = ${claimed[0]!.id}::uuid`;
    return result;
  }
  // Another request holds the key, now committed: a new statement sees its record (READ COMMITTED).
  const previous = await tx.idempotencyRecord.findUniqueOrThrow({ where: { scope_key: { scope: claim.scope, key: claim.key } } });
  return replayed(tx, claim, previous);
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

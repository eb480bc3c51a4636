import { builder } from "./builder";
import { cursorSeen, listedPage, nodeConnection } from "./connection";
import type { AvailableActions } from "../domain/transaction";
import * as transactions from "../services/transactions";
import { uuidOrNil } from "../domain/ids";
import { SEARCH_MAX_LENGTH } from "../domain/search";
import { CurrencyEnum, OperationTypeEnum, OrderDirectionEnum, PrincipalKindEnum, TransactionStatusEnum } from "./enums";
import { orderColumns, prismaOrderBy, TRANSACTION_ORDER_COLUMNS, type OrderColumn } from "../domain/ordering";
import { SalesUnit } from "./sales-unit";
import { Merchant } from "./merchant";
import { PaymentLink } from "./payment-link";
import type { Context } from "../context";
import type { Prisma } from "../generated/prisma/client";
import { toPrismaWhere } from "../db/conditions";
import { canSeePayer as canSeePayerDetails, mayManage, transactionListCondition, viewableTransactions, type TransactionListFilter } from "../auth/policies/transaction";

function canSeePayer(tx: { salesUnitId: string; merchantId: string }, ctx: Context): boolean {
  return canSeePayerDetails(ctx.access, tx);
}

export const Transaction = builder.prismaNode("Transaction", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A payment. Amounts are integers in minor units (øre, cents).",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [toPrismaWhere(viewableTransactions(ctx.access))] }),
  authScopes: (tx) => ({ salesUnit: { action: "VIEW_TRANSACTIONS", salesUnitId: tx.salesUnitId, merchantId: tx.merchantId } }),
  fields: (t) => ({
    status: t.expose("status", { type: TransactionStatusEnum, description: "Where the payment is, as the portal shows it." }),
    amount: t.exposeInt("amount", { description: "The requested amount." }),
    authorizedAmount: t.exposeInt("authorizedAmount", { description: "What the customer approved (reserved); 0 until approved." }),
    capturedAmount: t.exposeInt("capturedAmount", { description: "What has been captured so far; never more than `authorizedAmount`." }),
    refundedAmount: t.exposeInt("refundedAmount", { description: "What has been refunded so far; never more than `capturedAmount`." }),
    cancelledAmount: t.exposeInt("cancelledAmount", { description: "What a cancel released from the reservation; 0 when nothing was cancelled." }),
    currency: t.expose("currency", { type: CurrencyEnum, description: "The sales unit's currency: NOK, DKK or EUR." }),
    reference: t.exposeString("reference", { description: "The merchant's order id, unique per sales unit." }),
    description: t.exposeString("description", { nullable: true, description: "The text shown to the customer with the payment; null when none was given." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the payment was requested." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When the payment last changed." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true, description: "When an unanswered request expires; null when there is no such limit." }),
    reservedAt: t.expose("reservedAt", { type: "DateTime", nullable: true, description: "When the customer approved and the amount was reserved; null before that." }),
    salesUnit: t.relation("salesUnit", { description: "The sales unit that took the payment." }),
    paymentLink: t.relation("paymentLink", { nullable: true, description: "The payment link it was paid through; null for other payments." }),
    payer: t.field({
      type: Payer,
      nullable: true,
      description: "Who paid; null when the caller may not see payer details (partners and API keys without the scope).",
      resolve: (tx, _args, ctx) => (canSeePayer(tx, ctx) ? tx : null),
    }),
    shipping: t.field({
      type: Shipping,
      nullable: true,
      description: "Shipping details where the payment had them (payment links, checkout).",
      resolve: (tx, _args, ctx) => (tx.shippingName || tx.shippingAddress) && canSeePayer(tx, ctx) ? tx : null,
    }),
    operations: t.relation("operations", {
      description: "The history of the payment, oldest first.",
      query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    }),
  }),
});

export const TransactionConnection = nodeConnection(Transaction, "Transaction", "payments");

builder.prismaObjectFields(PaymentLink, (t) => ({
  transactions: t.relatedConnection(
    "transactions",
    {
      cursor: "id",
      nullable: true,
      description: "Payments made through the link, newest first (for callers who may view the unit's transactions).",
      authScopes: (link) => ({ salesUnit: { action: "VIEW_TRANSACTIONS", salesUnitId: link.salesUnitId } }),
      query: cursorSeen(
        () => ({ orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }] }),
        (id, ctx) => ctx.db.transaction.findFirst({ where: { id: uuidOrNil(id), AND: [toPrismaWhere(viewableTransactions(ctx.access))] }, select: { id: true } }),
      ),
      totalCount: true,
    },
    TransactionConnection,
  ),
}));

const Payer = builder.objectRef<{ payerName: string | null; payerPhone: string | null; payerEmail: string | null; message: string | null }>("Payer").implement({
  description: "The customer who paid: personal data, seen only by callers who may see payer details on the sales unit.",
  fields: (t) => ({
    name: t.exposeString("payerName", { nullable: true, description: "The payer's name; null when unknown." }),
    phoneNumber: t.exposeString("payerPhone", { nullable: true, description: "The payer's phone number; null when unknown." }),
    email: t.exposeString("payerEmail", { nullable: true, description: "The payer's e-mail address; null when not given." }),
    message: t.exposeString("message", { nullable: true, description: "The payer's message to the merchant; null when none." }),
  }),
});

const Shipping = builder.objectRef<{ shippingName: string | null; shippingAddress: string | null; shippingMethod: string | null }>("Shipping").implement({
  description: "Where and how the goods are sent; personal data like `Payer`.",
  fields: (t) => ({
    name: t.exposeString("shippingName", { nullable: true, description: "The recipient's name; null when not given." }),
    address: t.exposeString("shippingAddress", { nullable: true, description: "The delivery address as one text; null when not given." }),
    method: t.exposeString("shippingMethod", { nullable: true, description: "The shipping option the customer chose; null when not given." }),
  }),
});

builder.prismaNode("TransactionOperation", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "One step in a payment's history, with who did it.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), transaction: toPrismaWhere(viewableTransactions(ctx.access)) }),
  // Whoever may see the payment sees its history; the transaction's ids come along with every operation row.
  include: { transaction: { select: { salesUnitId: true, merchantId: true } } },
  authScopes: (operation) => ({
    salesUnit: { action: "VIEW_TRANSACTIONS", salesUnitId: operation.transaction.salesUnitId, merchantId: operation.transaction.merchantId },
  }),
  fields: (t) => ({
    type: t.expose("type", { type: OperationTypeEnum, description: "What happened." }),
    amount: t.exposeInt("amount", { description: "The amount the step moved, in minor units (øre, cents)." }),
    actorKind: t.expose("actorKind", { type: PrincipalKindEnum, description: "What kind of principal did it: a portal user, an API key, a partner, customer service or the system." }),
    actorLabel: t.string({
      nullable: true,
      description: "Who did it (a staff member's name); only for callers who may see personal details on the sales unit.",
      select: { transaction: { select: { salesUnitId: true, merchantId: true } } },
      resolve: (operation, _args, ctx) => (canSeePayer(operation.transaction, ctx) ? operation.actorLabel : null),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it happened." }),
  }),
});

export const TransactionFilter = builder.inputType("TransactionFilter", {
  description: "All given conditions must hold.",
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, description: "Only this merchant's payments." }),
    salesUnitIds: t.globalIDList({ for: SalesUnit, description: "Only payments of these sales units." }),
    status: t.field({ type: [TransactionStatusEnum], description: "Only payments in one of these statuses." }),
    createdFrom: t.field({ type: "DateTime", description: "Inclusive." }),
    createdTo: t.field({ type: "DateTime", description: "Exclusive." }),
    reference: t.string({ description: "Exact order id." }),
    paymentLinkId: t.globalID({ for: PaymentLink, description: "Only payments made through this payment link." }),
    search: t.string({ description: `Free text matched literally: payer name or phone, reference, description; at most ${SEARCH_MAX_LENGTH} characters.` }),
    amount: t.int({ description: "Exactly this requested amount, in minor units (øre, cents)." }),
    amountFrom: t.int({ description: "Requested amount at least this, in minor units; inclusive." }),
    amountTo: t.int({ description: "Requested amount at most this, in minor units; inclusive." }),
  }),
});

const TransactionOrderFieldEnum = builder.enumType("TransactionOrderField", {
  description: "What a list of payments can be sorted by.",
  values: {
    CREATED_AT: { description: "When the payment was requested." },
    AMOUNT: { description: "The requested amount." },
    STATUS: { description: "The status, in this order: REQUESTED, REJECTED, RESERVED, CANCELLED, CAPTURED, REFUNDED, EXPIRED (DESC reverses it)." },
  } as const,
});

export const TransactionOrder = builder.inputType("TransactionOrder", {
  description: "How to sort payments; ties keep one fixed order, so pages never repeat or skip a payment.",
  fields: (t) => ({
    field: t.field({ type: TransactionOrderFieldEnum, required: true, description: "The column to sort by." }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "DESC", description: "Which way; DESC when left out." }),
  }),
});

/** Newest first unless the caller picks another order. */
export function transactionOrder(order: typeof TransactionOrder.$inferInput | null | undefined): OrderColumn[] {
  return orderColumns(TRANSACTION_ORDER_COLUMNS[order?.field ?? "CREATED_AT"], order?.direction ?? "DESC");
}

type TransactionFilterInput = typeof TransactionFilter.$inferInput | null | undefined;

/** The transactions list filter with its global ids decoded, as the policy takes it. */
export function decodedTransactionFilter(filter: TransactionFilterInput): TransactionListFilter | null {
  if (!filter) return null;
  return {
    ...filter,
    merchantId: filter.merchantId?.id ?? null,
    salesUnitIds: filter.salesUnitIds?.map((g) => g.id) ?? null,
    paymentLinkId: filter.paymentLinkId?.id ?? null,
  };
}

export function transactionWhere(filter: TransactionFilterInput, ctx: Context): Prisma.TransactionWhereInput {
  return toPrismaWhere(transactionListCondition(decodedTransactionFilter(filter), ctx.access)) as Prisma.TransactionWhereInput;
}

builder.queryFields((t) => ({
  transactions: t.prismaConnection({
    type: "Transaction",
    cursor: "id",
    description: "Payments the caller may see, newest first unless `orderBy` says otherwise.",
    authScopes: { authenticated: true },
    args: {
      filter: t.arg({ type: TransactionFilter, required: false, description: "Which payments; all the caller may see when left out." }),
      orderBy: t.arg({ type: TransactionOrder, required: false, description: "The order of the list; newest first when left out." }),
    },
    resolve: (query, _root, args, ctx) => {
      const where = transactionWhere(args.filter, ctx);
      return listedPage(
        query,
        (cursor) => ctx.db.transaction.findFirst({ where: { AND: [where, cursor] }, select: { id: true } }),
        () => ctx.db.transaction.findMany({ ...query, where, orderBy: prismaOrderBy(transactionOrder(args.orderBy)) }),
      );
    },
    totalCount: (_root, args, ctx) => ctx.db.transaction.count({ where: transactionWhere(args.filter, ctx) }),
  }, TransactionConnection),
}));

const ActionLimit = builder.objectRef<{ maxAmount: number; deadline: Date }>("TransactionActionLimit").implement({
  description: "How much a capture or refund may move now, and until when.",
  fields: (t) => ({
    maxAmount: t.exposeInt("maxAmount", { description: "The most one operation may move now, in minor units." }),
    deadline: t.expose("deadline", { type: "DateTime", description: "The action is refused from this instant." }),
  }),
});

const CancelOption = builder.objectRef<{ amount: number; deadline: Date }>("TransactionCancelOption").implement({
  description: "What a cancel would release now, and until when it is allowed.",
  fields: (t) => ({
    amount: t.exposeInt("amount", { description: "What a cancel releases; 0 when it withdraws an unanswered request." }),
    deadline: t.expose("deadline", { type: "DateTime", description: "The cancel is refused from this instant." }),
  }),
});

const AvailableActionsRef = builder.objectRef<AvailableActions>("TransactionAvailableActions").implement({
  description: "What the caller can do with the payment now; null for an action that would be refused.",
  fields: (t) => ({
    capture: t.field({ type: ActionLimit, nullable: true, description: "The capture limit; null when a capture would be refused.", resolve: (actions) => actions.capture }),
    cancel: t.field({ type: CancelOption, nullable: true, description: "What a cancel would release; null when a cancel would be refused.", resolve: (actions) => actions.cancel }),
    refund: t.field({ type: ActionLimit, nullable: true, description: "The refund limit; null when a refund would be refused.", resolve: (actions) => actions.refund }),
  }),
});

const NOTHING_ALLOWED: AvailableActions = { capture: null, cancel: null, refund: null };

builder.prismaObjectFields(Transaction, (t) => ({
  availableActions: t.field({
    type: AvailableActionsRef,
    description: "Capture, cancel and refund limits by the same rules the mutations enforce; all null for a caller without Transaction Management on the sales unit.",
    select: { salesUnit: { select: { directCapture: true, lateCapture: true } }, merchant: { select: { country: true } } },
    resolve: (row, _args, ctx) =>
      mayManage(ctx.access, row)
        ? transactions.availableActionsOf(row, ctx.services.clock.now())
        : NOTHING_ALLOWED,
  }),
}));

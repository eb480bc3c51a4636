import { builder } from "./builder";
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
    status: t.expose("status", { type: TransactionStatusEnum }),
    amount: t.exposeInt("amount", { description: "The requested amount." }),
    authorizedAmount: t.exposeInt("authorizedAmount"),
    capturedAmount: t.exposeInt("capturedAmount"),
    refundedAmount: t.exposeInt("refundedAmount"),
    cancelledAmount: t.exposeInt("cancelledAmount"),
    currency: t.expose("currency", { type: CurrencyEnum }),
    reference: t.exposeString("reference", { description: "The merchant's order id, unique per sales unit." }),
    description: t.exposeString("description", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    reservedAt: t.expose("reservedAt", { type: "DateTime", nullable: true }),
    salesUnit: t.relation("salesUnit"),
    paymentLink: t.relation("paymentLink", { nullable: true }),
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

const Payer = builder.objectRef<{ payerName: string | null; payerPhone: string | null; payerEmail: string | null; message: string | null }>("Payer").implement({
  fields: (t) => ({
    name: t.exposeString("payerName", { nullable: true }),
    phoneNumber: t.exposeString("payerPhone", { nullable: true }),
    email: t.exposeString("payerEmail", { nullable: true }),
    message: t.exposeString("message", { nullable: true }),
  }),
});

const Shipping = builder.objectRef<{ shippingName: string | null; shippingAddress: string | null; shippingMethod: string | null }>("Shipping").implement({
  fields: (t) => ({
    name: t.exposeString("shippingName", { nullable: true }),
    address: t.exposeString("shippingAddress", { nullable: true }),
    method: t.exposeString("shippingMethod", { nullable: true }),
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
    type: t.expose("type", { type: OperationTypeEnum }),
    amount: t.exposeInt("amount"),
    actorKind: t.expose("actorKind", { type: PrincipalKindEnum }),
    actorLabel: t.string({
      nullable: true,
      description: "Who did it (a staff member's name); only for callers who may see personal details on the sales unit.",
      select: { transaction: { select: { salesUnitId: true, merchantId: true } } },
      resolve: (operation, _args, ctx) => (canSeePayer(operation.transaction, ctx) ? operation.actorLabel : null),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const TransactionFilter = builder.inputType("TransactionFilter", {
  description: "All given conditions must hold.",
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant }),
    salesUnitIds: t.globalIDList({ for: SalesUnit }),
    status: t.field({ type: [TransactionStatusEnum] }),
    createdFrom: t.field({ type: "DateTime", description: "Inclusive." }),
    createdTo: t.field({ type: "DateTime", description: "Exclusive." }),
    reference: t.string({ description: "Exact order id." }),
    paymentLinkId: t.globalID({ for: PaymentLink }),
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
      filter: t.arg({ type: TransactionFilter, required: false }),
      orderBy: t.arg({ type: TransactionOrder, required: false, description: "The order of the list; newest first when left out." }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.db.transaction.findMany({ ...query, where: transactionWhere(args.filter, ctx), orderBy: prismaOrderBy(transactionOrder(args.orderBy)) }),
    totalCount: (_root, args, ctx) => ctx.db.transaction.count({ where: transactionWhere(args.filter, ctx) }),
  }),
}));

const ActionLimit = builder.objectRef<{ maxAmount: number; deadline: Date }>("TransactionActionLimit").implement({
  fields: (t) => ({
    maxAmount: t.exposeInt("maxAmount", { description: "The most one operation may move now, in minor units." }),
    deadline: t.expose("deadline", { type: "DateTime", description: "The action is refused from this instant." }),
  }),
});

const CancelOption = builder.objectRef<{ amount: number; deadline: Date }>("TransactionCancelOption").implement({
  fields: (t) => ({
    amount: t.exposeInt("amount", { description: "What a cancel releases; 0 when it withdraws an unanswered request." }),
    deadline: t.expose("deadline", { type: "DateTime" }),
  }),
});

const AvailableActionsRef = builder.objectRef<AvailableActions>("TransactionAvailableActions").implement({
  description: "What the caller can do with the payment now; null for an action that would be refused.",
  fields: (t) => ({
    capture: t.field({ type: ActionLimit, nullable: true, resolve: (actions) => actions.capture }),
    cancel: t.field({ type: CancelOption, nullable: true, resolve: (actions) => actions.cancel }),
    refund: t.field({ type: ActionLimit, nullable: true, resolve: (actions) => actions.refund }),
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

/**
 * How the hot GraphQL types map onto tables, for the compiled read path. A field missing here is simply not
 * compiled: an operation that selects it runs through the ordinary resolvers instead, so this table may grow one
 * field at a time. Every mapping must answer exactly what the Pothos field answers; test/sql/compiled-reads.test.ts
 * compares the two paths over many selections, filters and personas.
 */
import type { Access } from "../auth/permissions";
import type { Principal } from "../auth/principal";
import { payerVisible, viewableTransactions } from "../auth/policies/transaction";
import { settlementAccountVisible, viewableMerchants, viewableSalesUnits } from "../auth/policies/sales-unit";
import { visibleMemberships } from "../auth/policies/person";
import { quoteIdent, toSql, TRANSACTION_COLUMN_TYPES, type ColumnTypes, type Condition, type SqlParams } from "../db/conditions";

/** What a mapping may use while it writes SQL for one request. */
export interface SqlScope {
  access: Access;
  principal: Principal;
  params: SqlParams;
  /** A fresh table alias. */
  alias(): string;
}

/** The row being rendered and, for objects reached through a list, the row of the object that holds the list. */
export interface Row {
  alias: string;
  parent?: Row;
}

/**
 * How a column's value is written into the response's JSON text. `number` and `boolean` as PostgreSQL prints them
 * (integers, `true`/`false`); `label` between quotes as it is (enum labels: upper-case identifiers, nothing JSON
 * escapes); `datetime` as the DateTime scalar writes it; `any` through `to_json`, which escapes text and writes
 * arrays. Only `any` pays for a per-value type lookup, so the columns of the hot lists say what they hold.
 */
export type JsonKind = "number" | "boolean" | "label" | "datetime" | "any";

export type FieldMapping =
  | { kind: "column"; column: string; json: JsonKind }
  | { kind: "globalId"; typename: string }
  /** Any scalar SQL expression over the row. */
  | { kind: "expr"; sql: (row: Row, scope: SqlScope) => string }
  /** Another GraphQL object made of the same row; null where `when` is false. */
  | { kind: "embedded"; type: string; when?: (row: Row, scope: SqlScope) => string }
  /**
   * A to-one relation: `where` finds the target row (aliased `target`) for the row. `key`, where the relation is the
   * row's column holding the target's id, lets a page build each distinct target once instead of once per row.
   */
  | { kind: "one"; type: string; where: (row: Row, target: string) => string; key?: string }
  /** A list: `from` is the FROM … WHERE … clause over the target alias, `orderBy` its order. */
  | { kind: "many"; type: string; from: (row: Row, target: string, scope: SqlScope) => string; orderBy: (target: string) => string }
  /** A value known before the statement runs (the caller itself). */
  | { kind: "value"; value: (scope: SqlScope) => unknown };

export interface TypeMapping {
  /** The table of a row-backed type; absent for types made of the caller or of another type's row. */
  table?: string;
  columns?: ColumnTypes;
  /** The type's own auth scope as SQL (the row may be shown), where it has one. */
  authorize?: (row: Row, scope: SqlScope) => string;
  fields: Readonly<Record<string, FieldMapping>>;
}

const col = (column: string, json: JsonKind = "any"): FieldMapping => ({ kind: "column", column, json });
const datetime = (column: string): FieldMapping => col(column, "datetime");
const number = (column: string) => col(column, "number");
const label = (column: string) => col(column, "label");
const boolean = (column: string) => col(column, "boolean");
const SALES_UNIT_COLUMN_TYPES = {
  id: "uuid",
  merchantId: "uuid",
  partnerId: "uuid",
  environment: '"Environment"',
  channel: '"Channel"',
  status: '"SalesUnitStatus"',
} as const satisfies ColumnTypes;
const MERCHANT_COLUMN_TYPES = { id: "uuid" } as const satisfies ColumnTypes;
const MEMBERSHIP_COLUMN_TYPES = { id: "uuid", merchantId: "uuid", userId: "uuid" } as const satisfies ColumnTypes;

const ref = (row: Row | string, column: string) => `${typeof row === "string" ? row : row.alias}.${quoteIdent(column)}`;

/**
 * A policy's condition (src/auth/policies/) on `row`, as SQL: the compiled path asks the same policies as the
 * resolvers and writes no access rule of its own.
 */
const policySql = (condition: Condition, row: Row | string, columns: ColumnTypes, scope: SqlScope) =>
  toSql(condition, typeof row === "string" ? row : row.alias, columns, scope.params);

const canSeePayerSql = (scope: SqlScope, tx: Row | string) => policySql(payerVisible(scope.access), tx, TRANSACTION_COLUMN_TYPES, scope);

/** The masking of `maskAccountNumber` (src/domain/identifiers.ts): all but the last four characters as bullets. */
const maskedAccount = (column: string) =>
  `CASE WHEN length(${column}) > 4 THEN repeat('•', length(${column}) - 4) || right(${column}, 4) ELSE repeat('•', length(${column})) END`;

export const TYPE_MAPPINGS: Readonly<Record<string, TypeMapping>> = {
  Transaction: {
    table: "Transaction",
    columns: TRANSACTION_COLUMN_TYPES,
    authorize: (row, scope) => policySql(viewableTransactions(scope.access), row, TRANSACTION_COLUMN_TYPES, scope),
    fields: {
      id: { kind: "globalId", typename: "Transaction" },
      status: label("status"),
      amount: number("amount"),
      authorizedAmount: number("authorizedAmount"),
      capturedAmount: number("capturedAmount"),
      refundedAmount: number("refundedAmount"),
      cancelledAmount: number("cancelledAmount"),
      currency: label("currency"),
      reference: col("reference"),
      description: col("description"),
      createdAt: datetime("createdAt"),
      updatedAt: datetime("updatedAt"),
      expiresAt: datetime("expiresAt"),
      reservedAt: datetime("reservedAt"),
      salesUnit: { kind: "one", type: "SalesUnit", key: "salesUnitId", where: (row, target) => `${ref(target, "id")} = ${ref(row, "salesUnitId")}` },
      payer: { kind: "embedded", type: "Payer", when: (row, scope) => canSeePayerSql(scope, row) },
      shipping: {
        kind: "embedded",
        type: "Shipping",
        // The resolver tests the two strings for truthiness: an empty string counts as absent.
        when: (row, scope) => `((${ref(row, "shippingName")} <> '' OR ${ref(row, "shippingAddress")} <> '') AND ${canSeePayerSql(scope, row)})`,
      },
      operations: {
        kind: "many",
        type: "TransactionOperation",
        from: (row, target) => `FROM "TransactionOperation" ${target} WHERE ${ref(target, "transactionId")} = ${ref(row, "id")}`,
        orderBy: (target) => `${ref(target, "createdAt")} ASC, ${ref(target, "id")} ASC`,
      },
    },
  },
  Payer: {
    fields: { name: col("payerName"), phoneNumber: col("payerPhone"), email: col("payerEmail"), message: col("message") },
  },
  Shipping: {
    fields: { name: col("shippingName"), address: col("shippingAddress"), method: col("shippingMethod") },
  },
  TransactionOperation: {
    table: "TransactionOperation",
    fields: {
      id: { kind: "globalId", typename: "TransactionOperation" },
      type: label("type"),
      amount: number("amount"),
      actorKind: label("actorKind"),
      actorLabel: {
        kind: "expr",
        sql: (row, scope) => {
          if (!row.parent) throw new NotCompilable("an operation outside its transaction");
          return `CASE WHEN ${canSeePayerSql(scope, row.parent)} THEN ${ref(row, "actorLabel")} END`;
        },
      },
      createdAt: datetime("createdAt"),
    },
  },
  SalesUnit: {
    table: "SalesUnit",
    columns: SALES_UNIT_COLUMN_TYPES,
    authorize: (row, scope) => policySql(viewableSalesUnits(scope.access), row, SALES_UNIT_COLUMN_TYPES, scope),
    fields: {
      id: { kind: "globalId", typename: "SalesUnit" },
      msn: col("msn"),
      name: col("name"),
      logoUrl: col("logoUrl"),
      environment: label("environment"),
      channel: label("channel"),
      currency: label("currency"),
      status: label("status"),
      settlementFrequency: label("settlementFrequency"),
      settlementAccount: {
        kind: "expr",
        sql: (row, scope) => {
          const account = ref(row, "settlementAccount");
          const visible = policySql(settlementAccountVisible(scope.access), row, SALES_UNIT_COLUMN_TYPES, scope);
          return `CASE WHEN ${account} IS NULL OR ${visible} THEN ${account} ELSE ${maskedAccount(account)} END`;
        },
      },
      capabilities: { kind: "embedded", type: "SalesUnitCapabilities" },
      merchant: { kind: "one", type: "Merchant", key: "merchantId", where: (row, target) => `${ref(target, "id")} = ${ref(row, "merchantId")}` },
      createdAt: datetime("createdAt"),
      activatedAt: datetime("activatedAt"),
      deactivatedAt: datetime("deactivatedAt"),
    },
  },
  SalesUnitCapabilities: {
    fields: {
      recurring: boolean("recurring"),
      skipLandingPage: boolean("skipLandingPage"),
      directCapture: boolean("directCapture"),
      paymentLinks: boolean("paymentLinks"),
      login: boolean("login"),
      lateCapture: boolean("lateCapture"),
    },
  },
  Merchant: {
    table: "Merchant",
    columns: MERCHANT_COLUMN_TYPES,
    authorize: (row, scope) => policySql(viewableMerchants(scope.access), row, MERCHANT_COLUMN_TYPES, scope),
    fields: {
      id: { kind: "globalId", typename: "Merchant" },
      name: col("name"),
      organizationNumber: col("organizationNumber"),
      country: label("country"),
      addressLine: col("addressLine"),
      postalCode: col("postalCode"),
      city: col("city"),
      website: col("website"),
      contactEmail: col("contactEmail"),
      createdAt: datetime("createdAt"),
    },
  },
  Membership: {
    table: "Membership",
    columns: MEMBERSHIP_COLUMN_TYPES,
    authorize: (row, scope) => policySql(visibleMemberships(scope), row, MEMBERSHIP_COLUMN_TYPES, scope),
    fields: {
      id: { kind: "globalId", typename: "Membership" },
      role: label("role"),
      permissions: col("permissions"),
      merchant: { kind: "one", type: "Merchant", key: "merchantId", where: (row, target) => `${ref(target, "id")} = ${ref(row, "merchantId")}` },
      salesUnits: {
        kind: "many",
        type: "SalesUnit",
        // An Administrator reaches every sales unit of the merchant, the lower roles the ones listed on the membership.
        // Two branches rather than one CASE, so each finds its rows by an index instead of reading every sales unit.
        from: (row, target) =>
          `FROM (SELECT s.* FROM "SalesUnit" s WHERE ${ref(row, "role")} = 'ADMINISTRATOR' AND s."merchantId" = ${ref(row, "merchantId")} ` +
          `UNION ALL SELECT s.* FROM "MembershipSalesUnit" l JOIN "SalesUnit" s ON s.id = l."salesUnitId" ` +
          `WHERE ${ref(row, "role")} <> 'ADMINISTRATOR' AND l."membershipId" = ${ref(row, "id")}) ${target}`,
        orderBy: (target) => `${ref(target, "name")} ASC, ${ref(target, "id")} ASC`,
      },
      createdAt: datetime("createdAt"),
    },
  },
  Viewer: {
    fields: {
      kind: { kind: "value", value: (scope) => scope.principal.kind },
      label: { kind: "value", value: (scope) => scope.principal.label },
      expiresAt: { kind: "value", value: (scope) => scope.principal.expiresAt.toISOString() },
      memberships: {
        kind: "many",
        type: "Membership",
        from: (_row, target, scope) =>
          scope.principal.kind === "USER"
            ? `FROM "Membership" ${target} WHERE ${ref(target, "userId")} = ${scope.params.add(scope.principal.id, "uuid")}`
            : `FROM "Membership" ${target} WHERE FALSE`,
        orderBy: (target) => `${ref(target, "createdAt")} ASC, ${ref(target, "id")} ASC`,
      },
    },
  },
};

/** The operation selects something this path does not compile; it runs through the ordinary resolvers. */
export class NotCompilable extends Error {
  constructor(
    reason: string,
    /** False when the reason lies in the variables (another request with the same document may compile). */
    readonly structural = true,
  ) {
    super(reason);
  }
}

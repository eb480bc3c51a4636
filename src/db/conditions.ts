/**
 * A row condition written once and rendered twice: as a Prisma `where` for the ORM path, and as SQL for the compiled
 * read path (src/sql/). Access rules and list filters are built as `Condition`s, so both paths filter with the same
 * rule and cannot drift apart.
 *
 * The SQL rendering mirrors what Prisma generates for the same `where` on PostgreSQL: `contains` is LIKE/ILIKE with
 * the value between `%` (the value itself is used as given), `in: []` matches nothing, an empty `all` everything.
 */
export type Scalar = string | number | boolean | Date;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { field: string; eq: Scalar }
  | { field: string; in: readonly Scalar[] }
  | { field: string; gte: Scalar }
  | { field: string; lt: Scalar }
  | { field: string; lte: Scalar }
  | { field: string; contains: string; insensitive?: boolean }
  | { field: string; startsWith: string };

export const EVERYTHING: Condition = { all: [] };

export const all = (conditions: Condition[]): Condition => (conditions.length === 1 ? conditions[0]! : { all: conditions });
export const any = (conditions: Condition[]): Condition => (conditions.length === 1 ? conditions[0]! : { any: conditions });

/**
 * The Prisma `where` for a condition. Prisma ignores an empty `OR` instead of matching nothing, so an empty `any` is
 * refused here: write "nothing" as an empty `in` on a key.
 */
export function toPrismaWhere(condition: Condition): Record<string, unknown> {
  if ("all" in condition) return condition.all.length === 0 ? {} : { AND: condition.all.map(toPrismaWhere) };
  if ("any" in condition) {
    if (condition.any.length === 0) throw new Error("An empty `any` condition has no Prisma form; use an empty `in`.");
    return { OR: condition.any.map(toPrismaWhere) };
  }
  if ("eq" in condition) return { [condition.field]: condition.eq };
  if ("in" in condition) return { [condition.field]: { in: [...condition.in] } };
  if ("gte" in condition) return { [condition.field]: { gte: condition.gte } };
  if ("lt" in condition) return { [condition.field]: { lt: condition.lt } };
  if ("lte" in condition) return { [condition.field]: { lte: condition.lte } };
  if ("contains" in condition) {
    return { [condition.field]: { contains: condition.contains, ...(condition.insensitive ? { mode: "insensitive" } : {}) } };
  }
  return { [condition.field]: { startsWith: condition.startsWith } };
}

/** Collects the parameters of one SQL statement; `add` answers the placeholder, cast to the column's type. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value instanceof Date ? value.toISOString() : value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** PostgreSQL types of the columns conditions are written on (all others are text). */
export type ColumnTypes = Readonly<Record<string, string>>;

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The SQL for a condition on the row aliased `alias`. */
export function toSql(condition: Condition, alias: string, types: ColumnTypes, params: SqlParams): string {
  if ("all" in condition) {
    if (condition.all.length === 0) return "TRUE";
    return `(${condition.all.map((c) => toSql(c, alias, types, params)).join(" AND ")})`;
  }
  if ("any" in condition) {
    if (condition.any.length === 0) return "FALSE";
    return `(${condition.any.map((c) => toSql(c, alias, types, params)).join(" OR ")})`;
  }
  const column = `${alias}.${quoteIdent(condition.field)}`;
  const type = types[condition.field] ?? "text";
  if ("eq" in condition) return `${column} = ${params.add(condition.eq, type)}`;
  // One value is written as an equality, so the planner can walk an index on the column in order (a page by date of
  // one sales unit) instead of collecting and sorting: `= ANY` of a parameter could hold any number of values.
  if ("in" in condition && condition.in.length === 1) return `${column} = ${params.add(condition.in[0] instanceof Date ? condition.in[0].toISOString() : condition.in[0], type)}`;
  if ("in" in condition) return `${column} = ANY(${params.add(condition.in.map((v) => (v instanceof Date ? v.toISOString() : v)), `${type}[]`)})`;
  if ("gte" in condition) return `${column} >= ${params.add(condition.gte, type)}`;
  if ("lt" in condition) return `${column} < ${params.add(condition.lt, type)}`;
  if ("lte" in condition) return `${column} <= ${params.add(condition.lte, type)}`;
  if ("contains" in condition) return `${column}::text ${condition.insensitive ? "ILIKE" : "LIKE"} ${params.add(`%${condition.contains}%`, "text")}`;
  return `${column}::text LIKE ${params.add(`${condition.startsWith}%`, "text")}`;
}

/** PostgreSQL types of the Transaction columns conditions are written on (the compiled reads, aggregates and exports). */
export const TRANSACTION_COLUMN_TYPES = {
  id: "uuid",
  merchantId: "uuid",
  salesUnitId: "uuid",
  paymentLinkId: "uuid",
  status: '"TransactionStatus"',
  currency: '"Currency"',
  createdAt: "timestamp(3)",
  amount: "integer",
} as const satisfies ColumnTypes;

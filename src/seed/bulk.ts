/**
 * Bulk insert through `INSERT ... SELECT * FROM unnest($1::type[], ...)`: one statement and one array
 * parameter per column, whatever the row count. Prisma's `createMany` (one bind parameter per cell) took about
 * 9 s for the ~18,000 transaction, operation and settlement rows of the seed; this takes under one.
 */
import type { Prisma } from "../generated/prisma/client";
import { dayOf } from "../domain/calendar";

/** A column's PostgreSQL type, or the name of a Prisma enum (a PostgreSQL type of the same name). */
export type ColumnType = "uuid" | "text" | "int4" | "int8" | "timestamp" | "date" | { enum: string };

type Executor = Pick<Prisma.TransactionClient, "$executeRawUnsafe">;

function sqlType(type: ColumnType): string {
  if (typeof type === "object") return `"${type.enum}"`;
  return type === "timestamp" ? "timestamp(3)" : type;
}

function toParameter(value: unknown, type: ColumnType): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return type === "date" ? dayOf(value) : value.toISOString();
  return value;
}

/** Inserts `rows` into `table`, reading each column named in `columns` from every row (missing values are NULL). */
export async function bulkInsert<Row extends object>(db: Executor, table: string, columns: Partial<Record<keyof Row & string, ColumnType>>, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const entries = Object.entries(columns) as [keyof Row & string, ColumnType][];
  const names = entries.map(([name]) => `"${name}"`).join(", ");
  const arrays = entries.map(([name, type]) => rows.map((row) => toParameter(row[name], type)));
  const unnest = entries.map(([, type], index) => `$${index + 1}::${sqlType(type)}[]`).join(", ");
  await db.$executeRawUnsafe(`INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`, ...arrays);
}

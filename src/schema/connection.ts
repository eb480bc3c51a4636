/**
 * One connection type per node type: every field that lists sales units answers `SalesUnitConnection` with
 * `SalesUnitEdge`s, so a client writes one fragment per kind of row, whichever list it came from. Each field still
 * counts its own rows: the prisma plugin leaves the field's count on the connection it resolves (a number for a
 * related list, a function for a root list), and the shared `totalCount` reads whichever is there.
 */
import type { ObjectRef } from "@pothos/core";
import { builder } from "./builder";
import { MAX_PAGE_SIZE } from "./page-size";
import type { Context } from "../context";
import { remembered } from "./remembered";
import { listCursorId } from "../domain/ids";
import { toPrismaWhere } from "../db/conditions";
import { NOTHING } from "../auth/policies/who";

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** What the prisma plugin leaves on a connection for `totalCount`. */
interface CountedConnection {
  totalCount?: number | (() => number | Promise<number>);
}

/**
 * `<Node>Connection` and `<Node>Edge` for `node`, with `totalCount`. `rows` names the rows in the descriptions
 * ("sales units").
 */
export function nodeConnection<Shape>(node: ObjectRef<BuilderTypes, Shape>, name: string, rows: string) {
  return builder.connectionObject(
    {
      type: node,
      name: `${name}Connection`,
      description: `One page of a list of ${rows}, with cursors to page on (at most ${MAX_PAGE_SIZE} rows a page). Every list of ${rows} answers this type.`,
      fields: (t) => ({
        totalCount: t.int({
          description: "How many rows the whole list has, over every page, with the same filter.",
          // Lets the plugin skip reading the rows when only the count is asked for, as on its own connections.
          extensions: { pothosPrismaTotalCount: true },
          resolve: (connection) => {
            const { totalCount } = connection as CountedConnection;
            const count = typeof totalCount === "function" ? totalCount() : totalCount;
            if (count === undefined) throw new Error(`${name}Connection.totalCount: the list gave no count`);
            return count;
          },
        }),
      }),
    },
    { description: `One of the ${rows} of a page, with its cursor.` },
  );
}

/**
 * A root list's page: `rows()`, unless the page starts at a cursor whose row is not one of the list's, which gives no
 * rows (as an unknown cursor does). Prisma finds a cursor's row by its id in the whole table, so a cursor made from
 * a row the caller may not see would still place the page, and tell where that row sits in the caller's own list:
 * that a payment exists, and bounds on its amount, its status or its time. The compiled read path keeps the same rule.
 */
export async function listedPage<Cursor, Row>(query: { cursor?: Cursor }, listed: (cursor: Cursor) => Promise<unknown>, rows: () => Promise<Row[]>): Promise<Row[]> {
  if (query.cursor !== undefined && !(await listed(query.cursor))) return [];
  return rows();
}

type Visible = (id: string, ctx: Context) => Promise<unknown>;

/** Per request and list, whether each cursor's row was found visible. */
const seenCursors = new WeakMap<Context, Map<Visible, Map<string, Promise<unknown>>>>();

/** A field's arguments, as a relation list's `query` is given them. */
type FieldArgs = { [name: string]: unknown };

/**
 * The `query` of a list on an object (a relation), for pages after or before a cursor: the cursor's row must be one
 * the caller may see (`visible`), or the page is empty, as for an unknown cursor. Prisma finds a cursor's row by its
 * id in the whole table: without this, another merchant's row would place the page and tell where it sits in the
 * list. (A list on an object cannot ask whether the row is under that object, as `listedPage` does for root lists:
 * its query is not told the object.)
 *
 * The prisma plugin awaits a `query` that returns a promise (its relatedConnection reads it with `isThenable`), but
 * its types allow only the plain value: the one cast is here.
 */
export function cursorSeen<Query extends object>(
  query: (args: FieldArgs, ctx: Context) => Query,
  visible: Visible,
): (args: FieldArgs, ctx: Context) => Query {
  return (args, ctx) => {
    const base = query(args, ctx);
    const cursor = args.after ?? args.before;
    if (typeof cursor !== "string") return base;
    const id = listCursorId(cursor);
    // Asked once per request, list and cursor: the plugin asks for the query again for every object of a page.
    const byList = remembered(seenCursors, ctx, () => new Map<Visible, Map<string, Promise<unknown>>>());
    const byCursor = remembered(byList, visible, () => new Map<string, Promise<unknown>>());
    const seen = id === null ? Promise.resolve(null) : remembered(byCursor, cursor, () => visible(id, ctx));
    const where = (base as { where?: object }).where ?? {};
    return seen.then((row) => (row ? base : { ...base, where: { AND: [where, toPrismaWhere(NOTHING)] } })) as unknown as Query;
  };
}

/**
 * SQL that writes a response's JSON as text, for the compiled read path. PostgreSQL's `json_build_object` and
 * `json_agg` look up how to write every argument's type on every call (a page of 50 payments makes about a
 * thousand such calls) and put spaces after every colon and comma. Here the compiler already knows each value's
 * type, so numbers, booleans and labels are concatenated as they print, and only text goes through `to_json`
 * for its escaping: for a page of 50 payments with their sales unit, PostgreSQL spends about 30 % less CPU
 * (bench/README.md, "JSON written as text").
 *
 * Every expression these helpers return is JSON text and never SQL NULL (a NULL would swallow the whole
 * concatenation it is part of): values that may be missing are written `null`.
 */
import type { JsonKind } from "./types";

/** JSON `null`. */
export const NULL_JSON = "'null'";

/** `sql` (JSON text or NULL) as JSON text: `null` where it is NULL. */
export function orNull(sql: string): string {
  return `COALESCE(${sql}, ${NULL_JSON})`;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * An object of response keys (GraphQL names: letters, digits and underscores, nothing to escape) and their values
 * (JSON text, never NULL).
 */
export function jsonObject(pairs: readonly (readonly [key: string, value: string])[]): string {
  if (pairs.length === 0) return `'{}'`;
  const parts: string[] = [];
  let literal = "{";
  for (const [key, value] of pairs) {
    if (!GRAPHQL_NAME.test(key)) throw new Error(`not a GraphQL name: ${key}`);
    literal += `"${key}":`;
    parts.push(`'${literal}'`, `(${value})`);
    literal = ",";
  }
  parts.push(`'}'`);
  return parts.join(" || ");
}

/** An aggregate: the array of `element` (JSON text) over the rows, in `orderBy`; `[]` for none. */
export function jsonArrayAgg(element: string, orderBy: string): string {
  return `COALESCE('[' || string_agg(${element}, ',' ORDER BY ${orderBy}) || ']', '[]')`;
}

/** A column or scalar expression written as `kind` says (see `JsonKind`), `null` where it is NULL. */
export function jsonScalar(sql: string, kind: JsonKind): string {
  switch (kind) {
    case "number":
    case "boolean":
      return orNull(`${sql}::text`);
    case "label":
      return orNull(`'"' || ${sql}::text || '"'`);
    case "datetime":
      // A Date's `toISOString()`, as the DateTime scalar serialises it; timestamps are stored in UTC.
      return orNull(`'"' || to_char(${sql}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`);
    case "any":
      return orNull(`to_json(${sql})::text`);
  }
}

/** A SQL boolean as JSON `true` or `false` (NULL counts as false, as a WHERE clause has it). */
export function jsonBoolean(condition: string): string {
  return `CASE WHEN ${condition} THEN 'true' ELSE 'false' END`;
}

/** A value known before the statement runs, as a parameter holding its JSON. */
export function jsonValue(value: unknown, add: (value: unknown, cast: string) => string): string {
  return add(JSON.stringify(value ?? null), "text");
}

/**
 * base64 of `<prefix><uuid>` as a JSON string: the relay plugin's global ids and the prisma plugin's cursors.
 * base64 works in groups of three bytes, so where the prefix's length is a multiple of three its encoding is a
 * constant and only the uuid (36 bytes, 48 characters: under the 76 at which PostgreSQL breaks lines) is
 * encoded per row. Other prefixes encode the whole text and take the line breaks out.
 */
export function base64Id(prefix: string, uuid: string): string {
  if (prefix.length % 3 === 0) {
    return `'"${Buffer.from(prefix).toString("base64")}' || encode(convert_to(${uuid}::text, 'UTF8'), 'base64') || '"'`;
  }
  return `'"' || translate(encode(convert_to('${prefix}' || ${uuid}, 'UTF8'), 'base64'), E'\\n', '') || '"'`;
}

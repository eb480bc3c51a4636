import { decodeGlobalID } from "@pothos/plugin-relay";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Ids come from clients inside global ids; a malformed one must find nothing rather than make PostgreSQL reject
 * the query. The nil UUID is never assigned to a row.
 */
export function uuidOrNil(value: string): string {
  return isUuid(value) ? value.toLowerCase() : "00000000-0000-0000-0000-000000000000";
}

/**
 * The id inside a global id, as the rows hold it. PostgreSQL writes UUIDs in lower case and reads either case, but the
 * ids the code compares in memory (loaders keyed by row id, idempotency records, audit rows' text ids) are the
 * database's: a client's `…-ABCD-…` names the same row as `…-abcd-…` and must be taken as it.
 */
export function canonicalId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : id;
}

/** A global id's type and row id, the id in its canonical form; throws on anything that is not a global id. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const { typename, id } = decodeGlobalID(globalId);
  return { typename, id: canonicalId(id) };
}

/** Canonical, padded base64: what the Pothos plugins accept (Node's own decoder also takes what they refuse). */
const BASE64 = /^(?:[\d+/A-Za-z]{4})*(?:[\d+/A-Za-z]{2}==|[\d+/A-Za-z]{3}=)?$/;

/**
 * The row id inside a list cursor, as the prisma plugin writes them for string ids (`GPC:S:<id>`, base64); null for
 * anything else, including a cursor the plugin would refuse as invalid base64.
 */
export function listCursorId(cursor: string): string | null {
  const decoded = BASE64.test(cursor) ? Buffer.from(cursor, "base64").toString() : "";
  return /^GPC:S:(.+)$/.exec(decoded)?.[1] ?? null;
}

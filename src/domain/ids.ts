const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Ids come from clients inside global ids; a malformed one must find nothing rather than make PostgreSQL reject
 * the query. The nil UUID is never assigned to a row.
 */
export function uuidOrNil(value: string): string {
  return isUuid(value) ? value : "00000000-0000-0000-0000-000000000000";
}

/**
 * The row id inside a list cursor, as the prisma plugin writes them for string ids (`GPC:S:<id>`, base64); null for
 * anything else.
 */
export function listCursorId(cursor: string): string | null {
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(cursor) ? Buffer.from(cursor, "base64").toString() : "";
  return /^GPC:S:(.+)$/.exec(decoded)?.[1] ?? null;
}

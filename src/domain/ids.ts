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

/**
 * Free-text search terms: bounded, on one line, and matched literally. A search runs an unanchored ILIKE over
 * several columns, so its cost grows with the term's length; and `%` or `_` typed by a person means the
 * character, not a wildcard.
 */
import { ValidationError } from "./errors";

/** Longer than any name, reference or description a search can match (descriptions are at most 100 characters). */
export const SEARCH_MAX_LENGTH = 100;

/** The trimmed term, or null for an empty one; refuses control characters and terms over SEARCH_MAX_LENGTH. */
export function searchTerm(value: string | null | undefined, field = "search"): string | null {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return null;
  if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(trimmed)) {
    throw new ValidationError("The search contains line breaks or control characters: search for text on one line.", field);
  }
  const length = [...trimmed].length;
  if (length > SEARCH_MAX_LENGTH) {
    throw new ValidationError(`A search can have at most ${SEARCH_MAX_LENGTH} characters (this one has ${length}): shorten it.`, field);
  }
  return trimmed;
}

/**
 * Escapes LIKE's wildcards with PostgreSQL's default escape character, for Prisma's `contains` and `startsWith`,
 * which pass the value into the pattern as it is.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

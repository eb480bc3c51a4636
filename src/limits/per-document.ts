/**
 * Verdicts that depend on a document alone, remembered per parsed document. Yoga's parser cache hands the same
 * `DocumentNode` to every request with the same text, and its LRU bounds how many there are: keyed weakly on the
 * node, an entry lives exactly as long as the parsed document does, so this cache is bounded by that LRU.
 */
import type { DocumentNode } from "graphql";

export function perDocument<T>(verdict: (document: DocumentNode) => T): (document: DocumentNode) => T {
  const verdicts = new WeakMap<DocumentNode, { value: T }>();
  return (document) => {
    const known = verdicts.get(document);
    if (known) return known.value;
    const value = verdict(document);
    verdicts.set(document, { value });
    return value;
  };
}

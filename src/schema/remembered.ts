/** What `map` holds under `key`, made by `make` and kept there the first time it is asked for. */
export function remembered<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * Loaders of a request's lists batch within a turn and never cache: a later mutation of the same document may change
 * what they read, and what it returns must show that.
 */
export const NOT_CACHED = { cache: false } as const;

// The one cache abstraction (issue 10): a bounded least-recently-used cache from lru-cache, named and
// registered here, so every cache in Quire has an explicit key, a size limit and one way to be emptied.
// What is cached is keyed by something immutable (a content hash, a pair of versions, a version of a
// document, an ended month), so an entry never goes stale: changed content has a different key. Two
// caches hold what changes with the database and check SQLite's data_version on every read instead:
// the database's own read cache (`Database.cached`) and the page responses of app/web/page-responses.server.ts
// (data_version and the day, the session checked on every request).

import { LRUCache } from "lru-cache";

const registry = new Map<string, LRUCache<string, NonNullable<unknown>>>();

/**
 * A bounded cache named `name`, holding at most `max` entries and dropping the least recently used.
 * Values may be promises, so that concurrent misses share one computation. A module evaluated again
 * (a development reload) replaces its cache under the same name.
 */
export function boundedCache<V extends NonNullable<unknown>>(name: string, max: number): LRUCache<string, V> {
  const cache = new LRUCache<string, V>({ max });
  registry.set(name, cache as unknown as LRUCache<string, NonNullable<unknown>>);
  return cache;
}

/** Each cache's name, entries and limit (for tests and diagnostics). */
export function cacheSizes(): Record<string, { size: number; max: number }> {
  return Object.fromEntries([...registry].map(([name, c]) => [name, { size: c.size, max: c.max }]));
}

/** Empties every cache: after a data folder is replaced under a running process (tests, restore). */
export function clearCaches(): void {
  for (const cache of registry.values()) cache.clear();
}

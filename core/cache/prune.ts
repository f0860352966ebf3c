import { rm } from 'node:fs/promises';
import { systemClock, type Clock } from '../model/clock.js';
import { cacheLeftovers, listCache, type CacheEntry } from './cache-report.js';
import { LocalCache } from './local-cache.js';

// `strata cache prune --older-than AGE`: removes the objects not used for
// AGE (a restore touches an object, so "used" means built or restored) and
// what killed builds left behind. Ages are measured against `clock`, so a
// test can prune "30 days later" without waiting or back-dating files.

export interface PruneResult {
  /** Every object the cache held before pruning. */
  readonly entries: readonly CacheEntry[];
  /** The objects removed (or, with dryRun, that would be). */
  readonly old: readonly CacheEntry[];
  readonly leftovers: readonly string[];
}

export async function pruneCache(dir: string, olderThanMs: number, options: { dryRun?: boolean; clock?: Clock } = {}): Promise<PruneResult> {
  const now = (options.clock ?? systemClock).now();
  const entries = listCache(dir);
  const old = entries.filter((e) => e.lastUsed < now - olderThanMs);
  const leftovers = cacheLeftovers(dir, undefined, now);
  if (!options.dryRun) {
    const cache = new LocalCache(dir);
    for (const e of old) await cache.discard(e.signature);
    for (const p of leftovers) await rm(p, { recursive: true, force: true });
  }
  return { entries, old, leftovers };
}

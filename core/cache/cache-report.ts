import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// The objects of a local cache as a list, for `strata cache size` and
// `strata cache prune`: each object's signature, task, size and when it was
// last used (its json's modification time; a restore touches it).

export interface CacheEntry {
  readonly signature: string;
  readonly bytes: number;
  readonly lastUsed: number;
}

export function listCache(dir: string): CacheEntry[] {
  const out: CacheEntry[] = [];
  let shards: string[] = [];
  try {
    shards = readdirSync(dir).filter((d) => /^[0-9a-f]{2}$/.test(d));
  } catch {
    return out;
  }
  for (const shard of shards) {
    for (const f of readdirSync(join(dir, shard))) {
      const m = /^([0-9a-f]{64})\.json$/.exec(f);
      if (!m) continue;
      const json = statSync(join(dir, shard, f));
      let tarBytes = 0;
      try {
        tarBytes = statSync(join(dir, shard, `${m[1]}.tar`)).size;
      } catch {
        /* a json without its tar counts as its json only; prune removes it */
      }
      out.push({ signature: m[1], bytes: json.size + tarBytes, lastUsed: json.mtimeMs });
    }
  }
  return out;
}

/** `30d`, `12h`, `90m`, `2w` as milliseconds. */
export function parseAge(text: string): number | undefined {
  const m = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/**
 * Leftovers of processes killed while writing to the cache: staging
 * folders and temporary files (their names start with a dot). Never used
 * by a build; prune removes those older than an hour (younger ones may
 * belong to a build running now).
 */
export function cacheLeftovers(dir: string, olderThanMs = 3600e3, now = Date.now()): string[] {
  const cutoff = now - olderThanMs;
  const out: string[] = [];
  const consider = (p: string) => {
    try {
      if (statSync(p).mtimeMs < cutoff) out.push(p);
    } catch {
      /* gone meanwhile */
    }
  };
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith('.staging-')) consider(join(dir, n));
    else if (/^[0-9a-f]{2}$/.test(n)) for (const f of readdirSync(join(dir, n))) if (f.startsWith('.')) consider(join(dir, n, f));
  }
  return out;
}

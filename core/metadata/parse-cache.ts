import { mkdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomicallySync } from '../fs/atomic-write.js';
import type { LValue } from './tree.js';

// BitBake keeps the recipes it parsed (its bb_cache) and parses again only
// the files that changed; so does Strata. Every command reads every recipe
// of every layer to learn their names, and parsing them is most of what a
// no-op `strata build` or `strata env` does (bench/startup.ts). The located
// trees of the files parsed without error are kept in one file of the build
// folder, each under its path with the file's identity: device, inode,
// size, modification and change times in nanoseconds. Any difference, and
// the file is parsed again. The whole cache is dropped when the parser is
// another build of Strata (its code file's identity is part of the key), or
// when it cannot be read: it is only ever a shortcut.

/** Bumped when the tree's shape changes in a way a code file's identity would not show. */
const FORMAT = 1;

interface Entry {
  readonly id: string;
  readonly tree: LValue;
}

const identity = (s: BigIntStats): string => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

/** The identity of the parser's own code, so a rebuilt Strata never reads trees an older parser made. */
function parserIdentity(): string {
  const self = fileURLToPath(import.meta.url);
  return `${FORMAT}:${process.versions.node}:${identity(statSync(self, { bigint: true }))}`;
}

export class ParseCache {
  private entries = new Map<string, Entry>();
  private changed = false;
  private readonly parser = parserIdentity();

  /** Reads the cache at `file`; a missing, unreadable or foreign one is an empty cache. */
  constructor(private readonly file: string) {
    try {
      const data = deserialize(readFileSync(file)) as { parser?: unknown; entries?: unknown };
      if (data.parser === this.parser && data.entries instanceof Map) this.entries = data.entries as Map<string, Entry>;
    } catch {
      // Absent, truncated or written by something else: start empty.
    }
  }

  /** The tree of `path` if it was parsed before and the file has not changed since; `stats` is the file's, taken before reading it. */
  get(path: string, stats: BigIntStats): LValue | undefined {
    const hit = this.entries.get(path);
    return hit && hit.id === identity(stats) ? hit.tree : undefined;
  }

  put(path: string, stats: BigIntStats, tree: LValue): void {
    this.entries.set(path, { id: identity(stats), tree });
    this.changed = true;
  }

  /** Writes the cache if anything was added; a build folder that cannot be written to only loses the shortcut. */
  save(): void {
    if (!this.changed) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileAtomicallySync(this.file, serialize({ parser: this.parser, entries: this.entries }));
      this.changed = false;
    } catch {
      // Read-only or full: the next command parses again.
    }
  }
}

let active: ParseCache | undefined;

/** The cache parseYamlFile consults, while `withParseCache` runs. */
export const activeParseCache = (): ParseCache | undefined => active;

/** Runs `fn` with the cache at `file` in use, then saves what it added (also when `fn` throws: the good files stay parsed). */
export function withParseCache<T>(file: string, fn: () => T): T {
  const outer = active;
  const cache = (active = new ParseCache(file));
  try {
    return fn();
  } finally {
    active = outer;
    cache.save();
  }
}

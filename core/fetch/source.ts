import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { isSha256, type Sha256 } from '../model/ids.js';
import type { Recipe } from '../resolve/recipe.js';
import { gitSource, type GitSource } from './git/git-source.js';
import { redactUrl } from './redact.js';

// A recipe's sources with `${}` expanded: remote ones carry the sha256 that
// is their only trust anchor; local `file://` ones are found along the
// recipe's files path and hashed by content instead.

export interface RemoteSource {
  readonly kind: 'remote';
  readonly recipe: string;
  readonly url: string;
  readonly sha256: Sha256;
  /** File name in the download folder. */
  readonly name: string;
  readonly unpack: boolean;
  /** Where the recipe lists it. */
  readonly loc?: SourceLocation;
}

/**
 * A remote source written without its sha256. Only the fetch phase sees
 * these: it downloads the file once, to a temp name, so the error can print
 * the sum to add. Everywhere else it is the `source-no-checksum` error.
 */
export interface UnpinnedSource {
  readonly kind: 'unpinned';
  readonly recipe: string;
  readonly url: string;
  readonly name: string;
  readonly loc: SourceLocation;
}

export interface LocalSource {
  readonly kind: 'local';
  readonly recipe: string;
  readonly url: string;
  readonly path: string;
  readonly name: string;
  readonly unpack: boolean;
}

export type Source = RemoteSource | LocalSource | GitSource;

export function recipeSources(r: Recipe): Source[] {
  return fetchableSources(r).map((s) => {
    if (s.kind !== 'unpinned') return s;
    throw new UserError(diag('source-no-checksum', `${r.name}: source ${redactUrl(s.url)} has no sha256`, s.loc, { hint: 'every downloaded source needs `sha256:`; `strata fetch` prints the sum of what the URL serves now' }));
  });
}

/** Like recipeSources, but a remote source without sha256 is returned as `unpinned` instead of an error. */
export function fetchableSources(r: Recipe): (Source | UnpinnedSource)[] {
  return r.sources.map((s): Source | UnpinnedSource => {
    const url = r.data.expand(s.url, { where: `source of ${r.name}`, loc: s.loc });
    if (s.git) return gitSource(s, url, r.name, (v) => r.data.expand(v.value, { where: `git source of ${r.name}`, loc: v.loc }));
    if (url.startsWith('file://')) {
      const rel = url.slice('file://'.length);
      const tried = r.filesPath.map((d) => resolve(d, rel));
      const path = tried.find((p) => existsSync(p));
      if (!path) throw new UserError(diag('source-file-missing', `${r.name}: local source '${rel}' not found`, s.loc, { hint: `looked in: ${r.filesPath.join(', ')}` }));
      return { kind: 'local', recipe: r.name, url, path, name: s.downloadName ?? basename(rel), unpack: s.unpack };
    }
    if (!/^(https?|debian):\/\//.test(url)) {
      throw new UserError(diag('source-scheme', `${r.name}: unsupported source URL '${redactUrl(url)}'`, s.loc, { hint: 'use http://, https://, debian:// (a path in the Debian archive) or file://; for a git repository write `git: <url>` with `rev:` and `branch:` or `tag:`' }));
    }
    const name = s.downloadName ?? decodeURIComponent(basename(new URL(url).pathname));
    if (!s.sha256) return { kind: 'unpinned', recipe: r.name, url, name, loc: s.loc };
    if (!isSha256(s.sha256)) throw new UserError(diag('source-bad-checksum', `${r.name}: '${s.sha256}' is not a sha256 (64 lowercase hex digits)`, s.loc));
    return { kind: 'remote', recipe: r.name, url, sha256: s.sha256, name, unpack: s.unpack, loc: s.loc };
  });
}

import { basename } from 'node:path';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { isSha256, type Sha256 } from '../model/ids.js';
import type { Recipe } from '../resolve/recipe.js';
import { gitSource, type GitSource } from './git/git-source.js';
import { localSourcePath } from './local-source.js';
import { redactUrl } from '../diagnostics/redact.js';

// A recipe's sources with `${}` expanded: remote ones carry the sha256 that
// is their only trust anchor; local `file://` ones are found along the
// recipe's files path (inside the folders local-source.ts allows) and hashed
// by content instead. Which URL schemes are served is for the registered
// fetchers to say (registry.ts); the fetch phase checks every source with it.

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
  readonly loc?: SourceLocation;
}

export type Source = RemoteSource | LocalSource | GitSource;

export function recipeSources(r: Recipe): Source[] {
  return fetchableSources(r).map((s) => {
    if (s.kind !== 'unpinned') return s;
    throw new UserError(
      diag('source-no-checksum', `${r.name}: source ${redactUrl(s.url)} has no sha256`, s.loc, {
        hint: 'every downloaded source needs `sha256:`; `strata fetch` prints the sum of what the URL serves now',
      }),
    );
  });
}

/** Like recipeSources, but a remote source without sha256 is returned as `unpinned` instead of an error. */
export function fetchableSources(r: Recipe): (Source | UnpinnedSource)[] {
  return r.sources.map((s): Source | UnpinnedSource => {
    const url = r.data.expand(s.url, { where: `source of ${r.name}`, loc: s.loc });
    if (s.git) return gitSource(s, url, r.name, (v) => r.data.expand(v.value, { where: `git source of ${r.name}`, loc: v.loc }));
    if (url.startsWith('file://')) {
      const rel = url.slice('file://'.length);
      const path = localSourcePath(r, rel, s.loc);
      return { kind: 'local', recipe: r.name, url, path, name: s.downloadName ?? basename(rel), unpack: s.unpack, loc: s.loc };
    }
    const name = s.downloadName ?? fileName(url);
    if (!s.sha256) return { kind: 'unpinned', recipe: r.name, url, name, loc: s.loc };
    if (!isSha256(s.sha256)) throw new UserError(diag('source-bad-checksum', `${r.name}: '${s.sha256}' is not a sha256 (64 lowercase hex digits)`, s.loc));
    return { kind: 'remote', recipe: r.name, url, sha256: s.sha256, name, unpack: s.unpack, loc: s.loc };
  });
}

/** The last path segment of a URL, decoded; of the text itself when it is no URL (the fetch phase reports its scheme). */
function fileName(url: string): string {
  try {
    return decodeURIComponent(basename(new URL(url).pathname));
  } catch {
    return basename(url.replace(/[?#].*$/, ''));
  }
}

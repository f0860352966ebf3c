import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { isSha256, type Sha256 } from '../model/ids.js';
import type { Recipe } from '../resolve/recipe.js';
import { gitSource, type GitSource } from './git-source.js';
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
  return r.sources.map((s): Source => {
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
    if (!s.sha256) {
      throw new UserError(diag('source-no-checksum', `${r.name}: source ${redactUrl(url)} has no sha256`, s.loc, { hint: 'every downloaded source needs `sha256:`; run `sha256sum` on a trusted copy of the file' }));
    }
    if (!isSha256(s.sha256)) throw new UserError(diag('source-bad-checksum', `${r.name}: '${s.sha256}' is not a sha256 (64 lowercase hex digits)`, s.loc));
    const name = s.downloadName ?? decodeURIComponent(basename(new URL(url).pathname));
    return { kind: 'remote', recipe: r.name, url, sha256: s.sha256, name, unpack: s.unpack };
  });
}

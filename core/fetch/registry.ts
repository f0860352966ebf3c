import { isAbsolute } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { AnySource, Fetcher, Place } from './fetcher.js';
import { redactUrl } from '../diagnostics/redact.js';
import type { Source, UnpinnedSource } from './source.js';

// The registered fetcher plugins, looked up by what they serve. The schemes
// a recipe may write are exactly those of the registered plugins: nothing
// else in Strata lists them.

/** The scheme of a URL (`https`), `file` for an absolute path, '' when there is none. */
export function schemeOf(url: string): string {
  if (isAbsolute(url)) return 'file';
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1].toLowerCase() ?? '';
}

export class FetcherRegistry {
  constructor(readonly fetchers: readonly Fetcher[]) {}

  /** Every `url:` scheme a recipe may use, sorted. */
  get schemes(): string[] {
    return [...new Set(this.fetchers.flatMap((f) => f.schemes))].sort();
  }

  forScheme(scheme: string): Fetcher | undefined {
    return this.fetchers.find((f) => f.schemes.includes(scheme));
  }

  /** The fetcher of a source: its kind's (git), else its URL scheme's. */
  forSource(src: Pick<AnySource, 'kind' | 'url'>): Fetcher | undefined {
    return src.kind === 'git' ? this.fetchers.find((f) => f.kind === 'git') : this.forScheme(schemeOf(src.url));
  }

  /** The fetcher that reads a mirror place (a folder path or a URL). */
  forPlace(place: Place): Fetcher | undefined {
    return this.forScheme(schemeOf(place.url));
  }

  /** Whether a registered plugin serves this source; the diagnostic at the recipe line when none does. */
  check(src: Source | UnpinnedSource): Diagnostic | undefined {
    if (src.kind === 'local' ? this.forScheme('file') : this.forSource(src)) return undefined;
    const what = src.kind === 'git' ? `git source ${redactUrl(src.url)}` : `source URL '${redactUrl(src.url)}'`;
    return diag('source-scheme', `${src.recipe}: unsupported ${what}`, src.loc, {
      hint:
        `the registered fetchers serve ${this.schemes.map((s) => `${s}://`).join(', ') || 'nothing'}` +
        (this.fetchers.some((f) => f.kind === 'git') ? '; for a git repository write `git: <url>` with `rev:` and `branch:` or `tag:`' : ''),
    });
  }
}

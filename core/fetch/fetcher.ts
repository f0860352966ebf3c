// The one small interface every fetcher implements. A fetcher knows how to
// turn a source URL into places to download from and how to copy one of
// them into a writable stream; the mirror order and the checksum live in
// the orchestrator (fetch-sources.ts), not here.

export interface Fetcher {
  /** URL schemes this fetcher handles, like `http` or `debian`. */
  readonly schemes: readonly string[];
  /** Concrete download locations for an upstream URL, tried in order. */
  upstream(url: string): string[];
}

export const FETCHERS = Symbol.for('strata.Fetcher');

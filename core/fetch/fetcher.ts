import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { GitSource } from './git/git-source.js';
import type { RemoteSource, UnpinnedSource } from './source.js';
import type { BodySink, HttpOptions } from './transport/http.js';
import type { RetryPolicy } from './transport/retry.js';

// The one interface every fetcher plugin implements (after BitBake's
// fetch2 FetchMethod): which sources it serves, where upstream has them,
// and how to move the bytes of one place into a sink. Everything else —
// the order premirrors → upstream → mirrors, offline, allowed-hosts, locks,
// the sha256, the rename under the final name — belongs to the orchestrator
// (orchestrator.ts), once for every kind of source. A new fetcher is one
// file and one line in the composition root (core/session/plugins.ts).

/** What the orchestrator fetches: a downloaded file or a git commit's tarball. */
export type FetchSource = RemoteSource | GitSource;

/** What a fetcher is asked about: a source to fetch, or one without sha256 whose sum the fetch phase shows. */
export type AnySource = FetchSource | UnpinnedSource;

/** One place that may hold a source. */
export interface Place {
  /** A URL or an absolute path; may hold credentials, so it is printed only through redactUrl. */
  readonly url: string;
  /**
   * Usable without the network: a local clone that already holds what is
   * asked. Offline, or when the host is not in allowed-hosts, such a place
   * is still tried, with `TransferContext.network` false.
   */
  readonly local?: boolean;
  /** The host to check against allowed-hosts, when it is not the URL's (scp-like git URLs). */
  readonly host?: string;
}

export interface TransferContext {
  /** Whether the place is upstream (allowed-hosts applies) or a mirror. */
  readonly upstream: boolean;
  /** Whether the network may be used (false offline, or for a host not in allowed-hosts). */
  readonly network: boolean;
  /** Checked for every host contacted, redirects included. */
  readonly allowHost: (host: string) => boolean;
  /** The download folder (where git keeps its bare clones). */
  readonly downloads: string;
  readonly http: HttpOptions;
  readonly retry: RetryPolicy;
  readonly onProgress: (bytes: number, total?: number) => void;
  readonly onRetry: (detail: string) => void;
  /** Before the network is used for a place that is `local` (git's fetch into its clone), with what is fetched. */
  readonly onNetwork: (what: string) => void;
}

/**
 * The result of a transfer: undefined when the sink holds the place's
 * bytes, or a diagnostic that ends the fetch of this source (upstream says
 * the recipe's pin is wrong, so no mirror can make it right). A place that
 * merely does not have the source throws a DownloadError, and the
 * orchestrator goes on to the next place.
 */
export type TransferResult = undefined | { readonly stop: Diagnostic };

export interface Fetcher {
  /** URL schemes of `url:` sources (and mirror places) it serves, like `https` or `debian`. */
  readonly schemes: readonly string[];
  /** The kind of source it serves besides `url:` sources of its schemes (`git:` sources). */
  readonly kind?: 'git';
  /** The places upstream has a source of this fetcher, tried in order. */
  upstream(src: AnySource): Place[];
  /** Fills `sink` with the bytes at `place`; a sink holding bytes may be continued (resumed) or restarted. */
  transfer(place: Place, sink: BodySink, ctx: TransferContext, src: AnySource): Promise<TransferResult>;
  /**
   * A check beyond the sha256 for a copy that did not come from this
   * fetcher's own upstream (a git tarball from a mirror must hold the
   * commit's tree); the problem, or undefined.
   */
  verifyCopy?(src: FetchSource, path: string): Promise<string | undefined>;
}

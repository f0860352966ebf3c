import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { AnySource, Fetcher, FetchSource, Place, TransferContext } from './fetcher.js';
import { fetchFailure } from './fetch-failure.js';
import { mirrorPlaces } from './mirror/places.js';
import { redactUrl } from '../diagnostics/redact.js';
import { FetcherRegistry, schemeOf } from './registry.js';
import type { UnpinnedSource } from './source.js';
import { DownloadDir } from './store/download-dir.js';
import type { LockOwner } from './store/file-lock.js';
import { hostAllowed } from './transport/allowed-hosts.js';
import { DownloadError } from './transport/download-error.js';
import { hostOf } from './transport/http-client.js';
import { DEFAULT_HTTP, type HttpOptions } from './transport/http-options.js';
import type { FetchSettings } from './fetch-settings.js';
import { isWriteFailure, pinOf, transferVerified, type Candidate } from './verified-transfer.js';
import { DEFAULT_RETRY, type RetryPolicy } from './transport/retry.js';

// The one fetch orchestrator, for every kind of source: each is looked up
// in order premirrors → upstream → mirrors (upstream skipped when offline,
// except a place that needs no network), under its lock, and verified
// before it gets its final name (one place's try: verified-transfer.ts).
// Fetcher plugins (fetcher.ts) only say where upstream is and move bytes.
// All failures are collected and reported together, before any build task
// starts. core/fetch/README.md states the whole contract.

export interface FetchEvent {
  readonly source: FetchSource;
  readonly state: 'present' | 'waiting' | 'fetching' | 'progress' | 'retry' | 'done' | 'failed';
  readonly from?: string;
  /** progress: bytes so far and the whole size when known. */
  readonly bytes?: number;
  readonly total?: number;
  /** waiting: the process that holds the file's lock, and whether it is dead (its lock is then removed). */
  readonly holder?: LockOwner;
  readonly stale?: boolean;
  /** retry: what went wrong. */
  readonly detail?: string;
}

type OnEvent = (e: FetchEvent) => void;

/** The host a place contacts, '' for local ones. */
const placeHost = (p: Place): string => p.host ?? (/^https?:\/\//i.test(p.url) ? hostOf(p.url) : '');

export class SourceFetcher {
  readonly dir: DownloadDir;
  readonly registry: FetcherRegistry;
  private readonly http: HttpOptions;
  private readonly retry: RetryPolicy;
  constructor(
    fetchers: readonly Fetcher[] | FetcherRegistry,
    readonly settings: FetchSettings,
    dir?: DownloadDir,
  ) {
    this.registry = fetchers instanceof FetcherRegistry ? fetchers : new FetcherRegistry(fetchers);
    this.dir = dir ?? new DownloadDir(settings.downloads);
    this.http = { ...DEFAULT_HTTP, ...settings.http };
    this.retry = { ...DEFAULT_RETRY, ...settings.retry };
  }

  private plan(src: FetchSource): Candidate[] {
    const { premirrors, mirrors, offline } = this.settings;
    const mirror = (m: string): Candidate[] =>
      mirrorPlaces(m, src).flatMap((place) => {
        const fetcher = this.registry.forPlace(place);
        return fetcher ? [{ place, fetcher, upstream: false }] : [];
      });
    const own = this.registry.forSource(src);
    const upstream = (own?.upstream(src) ?? []).filter((p) => !offline || p.local).map((place) => ({ place, fetcher: own!, upstream: true }));
    return [...premirrors.flatMap(mirror), ...upstream, ...mirrors.flatMap(mirror)];
  }

  private allowHost = (host: string): boolean => !this.settings.allowedHosts || hostAllowed(host, this.settings.allowedHosts.patterns);

  /** Makes one source present in the download folder, or says why it cannot. */
  async fetchOne(src: FetchSource, onEvent: OnEvent = () => {}): Promise<Diagnostic | undefined> {
    await this.dir.prepare();
    const present = await this.presence(src);
    if (present !== 'absent') {
      if (present === undefined) onEvent({ source: src, state: 'present' });
      return present;
    }
    const lock = await this.dir.lock(src.name, { onWait: (holder, stale) => onEvent({ source: src, state: 'waiting', holder, stale }) });
    try {
      // Another process may have fetched it while we waited for the lock.
      const now = await this.presence(src);
      if (now !== 'absent') {
        if (now === undefined) onEvent({ source: src, state: 'present' });
        return now;
      }
      return await this.fetchLocked(src, onEvent);
    } finally {
      await lock.release();
    }
  }

  /** undefined when verified in the download folder, 'absent', or the diagnostic for a wrong file there. */
  private async presence(src: FetchSource): Promise<Diagnostic | undefined | 'absent'> {
    const present = await this.dir.checkPinned(src.name, src.sha256);
    if (present === 'ok') return undefined;
    if (present === 'absent') return 'absent';
    return diag('fetch-checksum', `${src.recipe}: ${this.dir.finalPath(src.name)} is in the download folder with the wrong checksum`, src.loc, {
      hint: `expected sha256 ${src.sha256}, actual ${present.actual}; delete the file so it is fetched again`,
    });
  }

  private async fetchLocked(src: FetchSource, onEvent: OnEvent): Promise<Diagnostic | undefined> {
    const tried: string[] = [];
    const mismatches: string[] = [];
    const refused = new Set<string>();
    for (const c of this.plan(src)) {
      const { place } = c;
      const from = redactUrl(place.url);
      if (isAbsolute(place.url) && !existsSync(place.url)) {
        tried.push(`${place.url}: not there`);
        continue;
      }
      const host = c.upstream ? placeHost(place) : '';
      const hostRefused = host !== '' && !this.allowHost(host);
      if (hostRefused) {
        refused.add(host);
        tried.push(`${from}: refused, host ${host} is not in allowed-hosts`);
        // A place that needs no network (a clone holding the commit) is still used.
        if (!place.local) continue;
      }
      if (!place.local) onEvent({ source: src, state: 'fetching', from });
      try {
        const got = await transferVerified(this.dir, this.registry, src, c, this.context(src, c, !this.settings.offline && !hostRefused, onEvent));
        if (got.kind === 'stop') {
          onEvent({ source: src, state: 'failed' });
          return got.stop;
        }
        if (got.kind === 'stored') {
          onEvent({ source: src, state: 'done', from, bytes: got.size });
          return undefined;
        }
        if (got.kind === 'sum') mismatches.push(`${from} has sha256 ${got.sha256}`);
        else tried.push(`${from}: ${got.problem}`);
      } catch (e) {
        if (!(e instanceof DownloadError)) throw e;
        if (isWriteFailure(e)) {
          // The next place would fail the same way: stop here.
          onEvent({ source: src, state: 'failed' });
          const full = e.failure.reason === 'disk-full';
          return diag(full ? 'fetch-disk-full' : 'fetch-write', `${src.recipe}: ${e.message} while fetching ${src.name}`, undefined, {
            hint:
              `nothing was stored under ${this.dir.finalPath(src.name)}; ` +
              (full ? 'free space there, or point `downloads:` in strata.yaml at a disk with room' : 'check that the download folder is writable'),
          });
        }
        if (e.failure.reason === 'host-not-allowed') refused.add(e.failure.host);
        tried.push(e.message);
      }
    }
    onEvent({ source: src, state: 'failed' });
    return fetchFailure(src, { tried, mismatches, refused: [...refused] }, this.settings);
  }

  private context(src: AnySource, c: Candidate, network: boolean, onEvent: OnEvent): TransferContext {
    const from = redactUrl(c.place.url);
    // A source without sha256 is only probed for its sum: nothing to report.
    const emit = (e: Omit<FetchEvent, 'source'>) => src.kind !== 'unpinned' && onEvent({ source: src, ...e });
    return {
      upstream: c.upstream,
      network,
      allowHost: this.allowHost,
      downloads: this.dir.dir,
      http: this.http,
      retry: this.retry,
      onProgress: (bytes, total) => emit({ state: 'progress', from, bytes, total }),
      onRetry: (detail) => emit({ state: 'retry', from, detail }),
      onNetwork: (what) => emit({ state: 'fetching', from: what }),
    };
  }

  /**
   * For a source written without sha256: downloads what upstream serves now
   * to a temp file (never under the final name), and returns the error whose
   * hint is the line to add.
   */
  async pinHint(u: UnpinnedSource): Promise<Diagnostic> {
    const base = `${u.recipe}: source ${redactUrl(u.url)} has no sha256`;
    const plain = (why: string) => diag('source-no-checksum', base, u.loc, { hint: `every downloaded source needs \`sha256:\`; ${why}` });
    if (this.settings.offline) return plain('offline, so its sum could not be shown: fetch once online, or run `sha256sum` on a trusted copy');
    const own = this.registry.forSource(u);
    if (!own) return plain(`no fetcher serves scheme '${schemeOf(u.url)}'`);
    const problems: string[] = [];
    await this.dir.prepare();
    for (const place of own.upstream(u)) {
      const host = placeHost(place);
      if (host && !this.allowHost(host)) {
        problems.push(`${redactUrl(place.url)}: host ${host} is not in allowed-hosts`);
        continue;
      }
      const tmp = await this.dir.openTemp(u.name);
      try {
        await own.transfer(
          place,
          tmp,
          this.context(u, { place, fetcher: own, upstream: true }, true, () => {}),
          u,
        );
        const { sha256, size } = await tmp.finish();
        return diag('source-no-checksum', base, u.loc, {
          hint: `add  sha256: ${sha256}  to this source: the sum of the ${size} bytes ${redactUrl(place.url)} serves now (compare it with a sum upstream publishes before trusting it)`,
        });
      } catch (e) {
        if (!(e instanceof DownloadError)) throw e;
        problems.push(e.message);
      } finally {
        await tmp.discard();
      }
    }
    return plain(`downloading it to show its sum failed: ${problems.join('; ') || 'no upstream URL'}`);
  }

  /** Fetches all sources (each name once), `parallel` at a time; returns every failure. */
  async fetchAll(sources: readonly FetchSource[], onEvent?: OnEvent): Promise<Diagnostic[]> {
    const unique = [...new Map(sources.map((s) => [s.name + ' ' + pinOf(s), s])).values()];
    const failures: Diagnostic[] = [];
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const d = await this.fetchOne(unique[next++], onEvent);
        if (d) failures.push(d);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.settings.parallel ?? 4) }, worker));
    return failures;
  }
}

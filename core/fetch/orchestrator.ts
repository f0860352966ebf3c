import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { hostAllowed, type AllowedHosts } from './transport/allowed-hosts.js';
import { DownloadError, describeFailure } from './transport/download-error.js';
import type { Fetcher } from './fetcher.js';
import { DownloadDir } from './store/download-dir.js';
import { copyInto } from './transport/file.js';
import type { LockOwner } from './store/file-lock.js';
import { fetchGitSource } from './git/git-fetcher.js';
import type { GitSource } from './git/git-source.js';
import { DEFAULT_HTTP, hostOf, httpGet, type HttpOptions } from './transport/http.js';
import { mirrorCandidates } from './mirror/places.js';
import type { PartialFile } from './store/partial-file.js';
import { redactUrl } from './redact.js';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './transport/retry.js';
import type { RemoteSource, UnpinnedSource } from './source.js';

// The fetch phase: every remote source of the target, in parallel, each
// looked up in order premirrors → upstream → mirrors (upstream skipped when
// offline), verified before it gets its final name. All failures are
// collected and reported together, before any build task starts.
// core/fetch/README.md states the whole contract.

export interface FetchSettings {
  readonly downloads: string;
  readonly premirrors: readonly string[];
  readonly mirrors: readonly string[];
  readonly offline: boolean;
  readonly parallel?: number;
  /** Upstream hosts that may be contacted; undefined: any. Mirrors are never restricted. */
  readonly allowedHosts?: AllowedHosts;
  readonly http?: Partial<HttpOptions>;
  readonly retry?: Partial<RetryPolicy>;
}

export interface FetchEvent {
  readonly source: RemoteSource | GitSource;
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

const isWriteFailure = (e: unknown): boolean => e instanceof DownloadError && (e.failure.reason === 'disk-full' || e.failure.reason === 'write');

interface Candidate {
  readonly from: string;
  readonly upstream: boolean;
}

export class SourceFetcher {
  readonly dir: DownloadDir;
  private readonly http: HttpOptions;
  private readonly retry: RetryPolicy;
  constructor(
    private readonly fetchers: readonly Fetcher[],
    private readonly settings: FetchSettings,
    dir?: DownloadDir,
  ) {
    this.dir = dir ?? new DownloadDir(settings.downloads);
    this.http = { ...DEFAULT_HTTP, ...settings.http };
    this.retry = { ...DEFAULT_RETRY, ...settings.retry };
  }

  private upstream(url: string): string[] {
    const scheme = url.slice(0, url.indexOf(':'));
    const f = this.fetchers.find((x) => x.schemes.includes(scheme));
    return f ? f.upstream(url) : [];
  }

  private plan(src: RemoteSource): Candidate[] {
    const { premirrors, mirrors, offline } = this.settings;
    const mirror = (from: string): Candidate => ({ from, upstream: false });
    return [
      ...premirrors.flatMap((m) => mirrorCandidates(m, src)).map(mirror),
      ...(offline ? [] : this.upstream(src.url)).map((from) => ({ from, upstream: true })),
      ...mirrors.flatMap((m) => mirrorCandidates(m, src)).map(mirror),
    ];
  }

  /** Where to look for a source, in order. */
  candidates(src: RemoteSource): string[] {
    return this.plan(src).map((c) => c.from);
  }

  private allowHost = (host: string): boolean => !this.settings.allowedHosts || hostAllowed(host, this.settings.allowedHosts.patterns);

  /** Makes one source present in the download folder, or says why it cannot. */
  async fetchOne(src: RemoteSource | GitSource, onEvent: (e: FetchEvent) => void = () => {}): Promise<Diagnostic | undefined> {
    await this.dir.prepare();
    const onWait = (holder: LockOwner, stale: boolean) => onEvent({ source: src, state: 'waiting', holder, stale });
    if (src.kind === 'git') {
      // Git sources are made from a clone, not downloaded: their own path, same order and folder.
      // Their tarball's name is locked like any other, so two processes never write it at once.
      const lock = await this.dir.lock(src.name, { onWait });
      try {
        return await fetchGitSource(src, { ...this.settings, dir: this.dir }, onEvent);
      } finally {
        await lock.release();
      }
    }
    const present = await this.presence(src);
    if (present !== 'absent') {
      if (present === undefined) onEvent({ source: src, state: 'present' });
      return present;
    }
    const lock = await this.dir.lock(src.name, { onWait });
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
  private async presence(src: RemoteSource): Promise<Diagnostic | undefined | 'absent'> {
    const present = await this.dir.check(src.name, src.sha256);
    if (present === 'ok') return undefined;
    if (present === 'absent') return 'absent';
    return diag('fetch-checksum', `${src.recipe}: ${this.dir.finalPath(src.name)} is in the download folder with the wrong checksum`, undefined, {
      hint: `expected sha256 ${src.sha256}, actual ${present.actual}; delete the file so it is fetched again`,
    });
  }

  private async fetchLocked(src: RemoteSource, onEvent: (e: FetchEvent) => void): Promise<Diagnostic | undefined> {
    const tried: string[] = [];
    const mismatches: string[] = [];
    const refused = new Set<string>();
    for (const c of this.plan(src)) {
      const isUrl = /^https?:\/\//.test(c.from);
      if (!isUrl && !existsSync(c.from)) {
        tried.push(`${c.from}: not there`);
        continue;
      }
      if (c.upstream && isUrl && !this.allowHost(hostOf(c.from))) {
        refused.add(hostOf(c.from));
        tried.push(`${redactUrl(c.from)}: refused, host ${hostOf(c.from)} is not in allowed-hosts`);
        continue;
      }
      onEvent({ source: src, state: 'fetching', from: redactUrl(c.from) });
      try {
        let got = await this.attempt(src, c, onEvent);
        if (got.sha256 !== src.sha256 && got.spliced) {
          // The part kept from an earlier attempt may be what is wrong:
          // fetch the whole file once more from the same place.
          await rm(this.dir.partialPath(src.name, src.sha256), { force: true });
          got = await this.attempt(src, c, onEvent);
        }
        if (got.sha256 === src.sha256) {
          await this.dir.commitVerified(this.dir.partialPath(src.name, src.sha256), src.name, src.sha256, got.size);
          onEvent({ source: src, state: 'done', from: redactUrl(c.from), bytes: got.size });
          return undefined;
        }
        await rm(this.dir.partialPath(src.name, src.sha256), { force: true });
        mismatches.push(`${redactUrl(c.from)} has sha256 ${got.sha256}`);
      } catch (e) {
        if (!(e instanceof DownloadError)) throw e;
        if (isWriteFailure(e)) {
          // The next place would fail the same way: stop here.
          onEvent({ source: src, state: 'failed' });
          const full = e.failure.reason === 'disk-full';
          return diag(full ? 'fetch-disk-full' : 'fetch-write', `${src.recipe}: ${e.message} while fetching ${src.name}`, undefined, {
            hint: `nothing was stored under ${this.dir.finalPath(src.name)}; ` + (full ? 'free space there, or point `downloads:` in strata.yaml at a disk with room' : 'check that the download folder is writable'),
          });
        }
        if (e.failure.reason === 'host-not-allowed') refused.add(e.failure.host);
        tried.push(e.message);
      }
    }
    onEvent({ source: src, state: 'failed' });
    if (mismatches.length) {
      return diag('fetch-checksum', `${src.recipe}: checksum mismatch for ${redactUrl(src.url)}: expected sha256 ${src.sha256}, but ${mismatches.join('; ')}`, src.loc, {
        hint: 'nothing was stored under the final name; fix the sha256 in the recipe if the new file is the trusted one',
      });
    }
    if (refused.size) {
      const hosts = [...refused].join(', ');
      return diag('fetch-host-not-allowed', `${src.recipe}: ${redactUrl(src.url)} needs host ${hosts}, which is not in allowed-hosts`, src.loc, {
        related: this.settings.allowedHosts?.loc ? [{ message: `allowed-hosts: ${this.settings.allowedHosts.patterns.join(', ') || '(none)'}`, location: this.settings.allowedHosts.loc }] : undefined,
        hint: `add ${[...refused].map((h) => `'${h}'`).join(' or ')} to allowed-hosts in strata.yaml, or put the file in a mirror; tried: ${tried.join('; ')}`,
      });
    }
    return diag('fetch-missing', `${src.recipe}: cannot fetch ${redactUrl(src.url)} (${src.name})`, src.loc, {
      hint: (this.settings.offline ? 'offline: only the download folder and mirrors are used. ' : '') + `tried: ${tried.join('; ') || 'nowhere (no mirrors configured)'}`,
    });
  }

  /** Fills the source's partial file from one place; the partial stays for a later resume when this fails. */
  private async attempt(src: RemoteSource, c: Candidate, onEvent: (e: FetchEvent) => void): Promise<{ sha256: string; size: number; spliced: boolean }> {
    const partial = await this.dir.openPartial(src.name, src.sha256);
    const from = redactUrl(c.from);
    try {
      await this.transfer(partial, c, (bytes, total) => onEvent({ source: src, state: 'progress', from, bytes, total }), (detail) => onEvent({ source: src, state: 'retry', from, detail }));
      const spliced = partial.isSpliced;
      return { ...(await partial.finish()), spliced };
    } catch (e) {
      // A full disk needs the room back; anything else keeps what arrived
      // for the next attempt or the next run to resume.
      if (isWriteFailure(e)) await partial.discard();
      else await partial.keep().catch(() => partial.discard());
      throw e;
    }
  }

  private transfer(partial: PartialFile, c: Candidate, onProgress: (bytes: number, total?: number) => void, onRetry: (detail: string) => void): Promise<void> {
    if (!/^https?:\/\//.test(c.from)) return copyInto(c.from, partial, onProgress);
    const opts: HttpOptions = { ...this.http, allowHost: c.upstream ? this.allowHost : undefined };
    return withRetries(() => httpGet(c.from, partial, opts, onProgress), this.retry, (f, n, ms) => onRetry(`${describeFailure(f)}; try ${n + 1} in ${(ms / 1000).toFixed(1)} s`));
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
    const urls = this.upstream(u.url).filter((x) => /^https?:\/\//.test(x));
    const problems: string[] = [];
    await this.dir.prepare();
    for (const url of urls) {
      if (!this.allowHost(hostOf(url))) {
        problems.push(`${redactUrl(url)}: host ${hostOf(url)} is not in allowed-hosts`);
        continue;
      }
      const tmp = await this.dir.openTemp(u.name);
      try {
        await withRetries(() => httpGet(url, tmp, { ...this.http, allowHost: this.allowHost }), this.retry);
        const { sha256, size } = await tmp.finish();
        return diag('source-no-checksum', base, u.loc, {
          hint: `add  sha256: ${sha256}  to this source: the sum of the ${size} bytes ${redactUrl(url)} serves now (compare it with a sum upstream publishes before trusting it)`,
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
  async fetchAll(sources: readonly (RemoteSource | GitSource)[], onEvent?: (e: FetchEvent) => void): Promise<Diagnostic[]> {
    const unique = [...new Map(sources.map((s) => [s.name + ' ' + s.sha256, s])).values()];
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

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Fetcher } from './fetcher.js';
import { DownloadDir } from './download-dir.js';
import { fetchGitSource } from './git-fetch.js';
import type { GitSource } from './git-source.js';
import { httpDownload } from './http.js';
import { mirrorCandidates } from './mirror.js';
import { redactUrl } from './redact.js';
import type { RemoteSource } from './source.js';

// The fetch phase: every remote source of the target, in parallel, each
// looked up in order premirrors → upstream → mirrors (upstream skipped when
// offline), verified before it gets its final name. All failures are
// collected and reported together, before any build task starts.

export interface FetchSettings {
  readonly downloads: string;
  readonly premirrors: readonly string[];
  readonly mirrors: readonly string[];
  readonly offline: boolean;
  readonly parallel?: number;
}

export interface FetchEvent {
  readonly source: RemoteSource | GitSource;
  readonly state: 'present' | 'fetching' | 'done' | 'failed';
  readonly from?: string;
}

export class SourceFetcher {
  readonly dir: DownloadDir;
  constructor(private readonly fetchers: readonly Fetcher[], private readonly settings: FetchSettings) {
    this.dir = new DownloadDir(settings.downloads);
  }

  private upstream(url: string): string[] {
    const scheme = url.slice(0, url.indexOf(':'));
    const f = this.fetchers.find((x) => x.schemes.includes(scheme));
    return f ? f.upstream(url) : [];
  }

  /** Where to look for a source, in order. */
  candidates(src: RemoteSource): string[] {
    const { premirrors, mirrors, offline } = this.settings;
    return [
      ...premirrors.flatMap((m) => mirrorCandidates(m, src)),
      ...(offline ? [] : this.upstream(src.url)),
      ...mirrors.flatMap((m) => mirrorCandidates(m, src)),
    ];
  }

  /** Makes one source present in the download folder, or says why it cannot. */
  async fetchOne(src: RemoteSource | GitSource, onEvent: (e: FetchEvent) => void = () => {}): Promise<Diagnostic | undefined> {
    // Git sources are made from a clone, not downloaded: their own path, same order and folder.
    if (src.kind === 'git') return fetchGitSource(src, { ...this.settings, dir: this.dir }, onEvent);
    await this.dir.prepare();
    const present = await this.dir.check(src.name, src.sha256);
    if (present === 'ok') {
      onEvent({ source: src, state: 'present' });
      return undefined;
    }
    if (present !== 'absent') {
      return diag('fetch-checksum', `${src.recipe}: ${this.dir.finalPath(src.name)} is in the download folder with the wrong checksum`, undefined, {
        hint: `expected sha256 ${src.sha256}, actual ${present.actual}; delete the file so it is fetched again`,
      });
    }
    const tried: string[] = [];
    const mismatches: string[] = [];
    for (const from of this.candidates(src)) {
      const isUrl = /^https?:\/\//.test(from);
      if (!isUrl && !existsSync(from)) {
        tried.push(`${from}: not there`);
        continue;
      }
      onEvent({ source: src, state: 'fetching', from: redactUrl(from) });
      const tmp = this.dir.tempPath(src.name);
      try {
        if (isUrl) await httpDownload(from, tmp);
        else await this.dir.copyIn(from, tmp);
        const result = await this.dir.commit(tmp, src.name, src.sha256);
        if (result.ok) {
          onEvent({ source: src, state: 'done', from: redactUrl(from) });
          return undefined;
        }
        mismatches.push(`${redactUrl(from)} has sha256 ${result.actual}`);
      } catch (e) {
        tried.push(`${redactUrl(from)}: ${(e as Error).message}`);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    onEvent({ source: src, state: 'failed' });
    if (mismatches.length) {
      return diag('fetch-checksum', `${src.recipe}: checksum mismatch for ${redactUrl(src.url)}: expected sha256 ${src.sha256}, but ${mismatches.join('; ')}`, undefined, {
        hint: 'nothing was stored under the final name; fix the sha256 in the recipe if the new file is the trusted one',
      });
    }
    return diag('fetch-missing', `${src.recipe}: cannot fetch ${redactUrl(src.url)} (${src.name})`, undefined, {
      hint: (this.settings.offline ? 'offline: only the download folder and mirrors are used. ' : '') + `tried: ${tried.join('; ') || 'nowhere (no mirrors configured)'}`,
    });
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

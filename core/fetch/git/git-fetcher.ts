import type { AnySource, BodySink, Fetcher, FetchSource, Place, TransferContext, TransferResult } from '../fetcher.js';
import type { Sha256 } from '../../model/ids.js';
import { redactText, redactUrl } from '../../diagnostics/redact.js';
import type { DownloadDir } from '../store/download-dir.js';
import { DownloadError } from '../transport/download-error.js';
import { BareClone, ensureCommit } from './git.js';
import type { GitSource } from './git-source.js';
import { gitTarballProblem } from './git-tarball-verify.js';
import { writeGitTarball } from './git-tarball.js';

// The fetcher plugin for `git:` sources. What the build needs is the
// commit's tarball in the download folder. Its upstream is the bare clone
// in the download folder, fetched from the repository when it lacks the
// commit and the network may be used (never offline, never for a host
// outside allowed-hosts); a clone that already holds the commit serves
// offline too. The orchestrator does the rest as for any source: premirrors
// and mirrors (where the tarball is found by name, or by sha256 when the
// recipe gives one), the lock, the sum, the rename (docs/git-sources.md).

/** Whether the download folder holds the verified tarball of a git source. */
export function gitTarballPresent(dir: DownloadDir, src: GitSource): Promise<'ok' | 'absent' | { actual: Sha256 }> {
  return dir.checkPinned(src.name, src.sha256);
}

/** The host of a git URL, also for scp-like `user@host:path`; '' for local paths and file://. */
export function gitHost(url: string): string {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return scp[1];
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

const asGit = (src: AnySource): GitSource => {
  if (src.kind !== 'git') throw new Error(`bug: the git fetcher got a ${src.kind} source`);
  return src;
};

export class GitFetcher implements Fetcher {
  readonly schemes: readonly string[] = [];
  readonly kind = 'git';

  upstream(src: AnySource): Place[] {
    return [{ url: src.url, local: true, host: gitHost(src.url) }];
  }

  async transfer(_place: Place, sink: BodySink, ctx: TransferContext, source: AnySource): Promise<TransferResult> {
    const src = asGit(source);
    const clone = BareClone.of(ctx.downloads, src);
    const missing = (detail: string) => new DownloadError({ reason: 'unavailable', url: clone.path, detail });
    let ready: Awaited<ReturnType<typeof ensureCommit>>;
    try {
      ready = await ensureCommit(clone, src, !ctx.network, () => ctx.onNetwork(`${redactUrl(src.url)} (${src.ref.kind} ${src.ref.name})`));
    } catch (e) {
      // Failing to run git is one more place tried, so a mirror can still serve.
      throw missing(`${clone.path}: ${redactText((e as Error).message)}`);
    }
    if (ready && 'missing' in ready) throw missing(ready.missing);
    if (ready) return { stop: ready };
    if (sink.bytes > 0) await sink.restart();
    try {
      await writeGitTarball(clone, src, sink);
    } catch (e) {
      if (e instanceof DownloadError) throw e;
      throw missing(`${clone.path}: ${redactText((e as Error).message)}`);
    }
    return undefined;
  }

  /** A tarball from a mirror must make the commit's tree: the commit id is the trust anchor, not the mirror. */
  verifyCopy(src: FetchSource, path: string): Promise<string | undefined> {
    return gitTarballProblem(path, asGit(src));
  }
}

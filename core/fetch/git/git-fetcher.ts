import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { diag, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Sha256 } from '../../model/ids.js';
import { sha256File } from '../checksum.js';
import type { DownloadDir } from '../store/download-dir.js';
import { BareClone, ensureCommit, redactText } from './git.js';
import type { GitSource } from './git-source.js';
import { gitTarballProblem } from './git-tarball-verify.js';
import { writeGitTarball } from './git-tarball.js';
import { httpDownload } from '../transport/http.js';
import { mirrorCandidates } from '../mirror/places.js';
import { hostAllowed } from '../transport/allowed-hosts.js';
import type { FetchSettings } from '../orchestrator.js';
import { redactUrl } from '../redact.js';

// The fetch phase's path for git sources. What the build needs is the
// commit's tarball in the download folder; it comes, in the usual order,
// from a premirror, from the bare clone (fetched from upstream when it lacks
// the commit, never when offline), or from a mirror. A tarball from a
// mirror is checked against the commit id itself (git-tarball-verify.ts)
// and, when the recipe gives one, against its sha256.

/** The fetch phase's settings a git source uses, with the download folder itself. */
export type GitFetchSettings = Pick<FetchSettings, 'premirrors' | 'mirrors' | 'offline' | 'allowedHosts'> & { readonly dir: DownloadDir };

/** The host of a git URL, also for scp-like `user@host:path`; '' for local paths and file://. */
function gitHost(url: string): string {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return scp[1];
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export interface GitFetchEvent {
  readonly source: GitSource;
  readonly state: 'present' | 'fetching' | 'done' | 'failed';
  readonly from?: string;
}

/** The sum recorded beside a file of the download folder, if its size still matches. */
async function recordedSum(dir: DownloadDir, name: string): Promise<Sha256 | undefined> {
  try {
    const [sum, size] = (await readFile(`${dir.finalPath(name)}.sha256`, 'utf8')).trim().split(/\s+/);
    return Number(size) === (await stat(dir.finalPath(name))).size ? (sum as Sha256) : undefined;
  } catch {
    return undefined;
  }
}

function describeRev(src: GitSource): string {
  return `${redactUrl(src.url)} at ${src.rev} (${src.ref.kind} ${src.ref.name})`;
}

/** Takes a candidate tarball at `tmp` into the download folder if it is the commit's; else says why not. */
async function accept(dir: DownloadDir, src: GitSource, tmp: string, verifyTree: boolean): Promise<string | undefined> {
  if (verifyTree) {
    const problem = await gitTarballProblem(tmp, src);
    if (problem) return problem;
  }
  const sum = src.sha256 ?? (await sha256File(tmp));
  const result = await dir.commit(tmp, src.name, sum);
  return result.ok ? undefined : `its sha256 is ${result.actual}, the recipe says ${src.sha256}`;
}

/** Whether the download folder holds the verified tarball of a git source. */
export async function gitTarballPresent(dir: DownloadDir, src: GitSource): Promise<'ok' | 'absent' | { actual: Sha256 }> {
  if (!existsSync(dir.finalPath(src.name))) return 'absent';
  // Without a sum in the recipe, the note written when the tarball was made or verified is the record.
  const sum = src.sha256 ?? (await recordedSum(dir, src.name));
  return sum ? dir.check(src.name, sum) : 'absent';
}

/** Makes one git source's tarball present in the download folder, or says why it cannot. */
export async function fetchGitSource(src: GitSource, s: GitFetchSettings, onEvent: (e: GitFetchEvent) => void = () => {}): Promise<Diagnostic | undefined> {
  const { dir } = s;
  await dir.prepare();
  const present = await gitTarballPresent(dir, src);
  if (present === 'ok') {
    onEvent({ source: src, state: 'present' });
    return undefined;
  }
  if (present !== 'absent') {
    return diag('fetch-checksum', `${src.recipe}: ${dir.finalPath(src.name)} is in the download folder with the wrong checksum`, src.loc, {
      hint: `expected sha256 ${src.sha256}, actual ${present.actual}; delete the file so it is made again`,
    });
  }
  const tried: string[] = [];
  const fromMirror = async (mirror: string): Promise<boolean> => {
    for (const from of mirrorCandidates(mirror, src)) {
      const isUrl = /^https?:\/\//.test(from);
      if (!isUrl && !existsSync(from)) {
        tried.push(`${from}: not there`);
        continue;
      }
      onEvent({ source: src, state: 'fetching', from: redactUrl(from) });
      const tmp = dir.tempPath(src.name);
      try {
        if (isUrl) await httpDownload(from, tmp);
        else await copyFile(from, tmp);
        const problem = await accept(dir, src, tmp, true);
        if (!problem) return true;
        tried.push(`${redactUrl(from)}: ${problem}`);
      } catch (e) {
        tried.push(`${redactUrl(from)}: ${(e as Error).message}`);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    return false;
  };
  const done = (from: string) => {
    onEvent({ source: src, state: 'done', from });
    return undefined;
  };

  for (const m of s.premirrors) if (await fromMirror(m)) return done(m);

  // The clone: a failure to run git or gzip is one more place tried, so a mirror can still serve.
  // A host outside allowed-hosts is never contacted; a clone that already
  // holds the commit is still used, as it would be offline.
  const host = gitHost(src.url);
  const refused = Boolean(host && s.allowedHosts && !hostAllowed(host, s.allowedHosts.patterns));
  if (refused) tried.push(`${redactUrl(src.url)}: refused, host ${host} is not in allowed-hosts`);
  const clone = BareClone.of(dir.dir, src);
  let made: 'done' | Diagnostic | { missing: string };
  try {
    made = await fromClone(clone, src, refused ? { ...s, offline: true } : s, onEvent);
  } catch (e) {
    made = { missing: `${clone.path}: ${redactText((e as Error).message)}` };
  }
  if (made === 'done') return done(clone.path);
  if (!('missing' in made)) {
    onEvent({ source: src, state: 'failed' });
    return made;
  }
  tried.push(made.missing);

  for (const m of s.mirrors) if (await fromMirror(m)) return done(m);

  onEvent({ source: src, state: 'failed' });
  return diag('fetch-missing', `${src.recipe}: cannot fetch git ${describeRev(src)} (${src.name})`, src.loc, {
    hint: (s.offline ? 'offline: only the download folder and mirrors are used. ' : '') + `tried: ${tried.join('; ')}`,
  });
}

/** The tarball made from the bare clone (fetched first when it lacks the commit and may use the network). */
async function fromClone(clone: BareClone, src: GitSource, s: GitFetchSettings, onEvent: (e: GitFetchEvent) => void): Promise<'done' | Diagnostic | { missing: string }> {
  const ready = await ensureCommit(clone, src, s.offline, () => onEvent({ source: src, state: 'fetching', from: `${redactUrl(src.url)} (${src.ref.kind} ${src.ref.name})` }));
  if (ready) return ready;
  const tmp = s.dir.tempPath(src.name);
  try {
    await writeGitTarball(clone, src, tmp);
    // Made from objects git itself verified; only a sha256 in the recipe can disagree.
    const problem = await accept(s.dir, src, tmp, false);
    if (!problem) return 'done';
    return diag('fetch-checksum', `${src.recipe}: the tarball of ${describeRev(src)} does not match the recipe's sha256: ${problem}`, src.loc, {
      hint: 'the tarball of a commit is the same bytes whoever makes it, so the sha256 in the recipe is probably wrong; nothing was stored',
    });
  } finally {
    await rm(tmp, { force: true });
  }
}

export interface MirrorTarball {
  readonly name: string;
  readonly sha256: Sha256;
  readonly size: number;
}

/**
 * For `strata mirror create`: puts the tarball of a git source into
 * `folder` (temp name, then rename) and returns its name, sha256 and size.
 * It comes from the download folder when there, else it is fetched like in
 * the fetch phase first (offline: from the clone and mirrors only).
 */
export async function gitMirrorTarball(src: GitSource, s: GitFetchSettings, folder: string): Promise<MirrorTarball | Diagnostic> {
  const failed = await fetchGitSource(src, s);
  if (failed) return failed;
  await mkdir(folder, { recursive: true });
  const dest = join(folder, src.name);
  const tmp = `${dest}.part-${process.pid}`;
  try {
    await copyFile(s.dir.finalPath(src.name), tmp);
    const sha256 = await sha256File(tmp);
    const size = (await stat(tmp)).size;
    await rename(tmp, dest);
    return { name: src.name, sha256, size };
  } finally {
    await rm(tmp, { force: true });
  }
}

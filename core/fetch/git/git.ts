import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { diag, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { runProcess } from '../../exec/launch.js';
import { writeAtomically } from '../../fs/atomic-write.js';
import { describeExit } from '../../exec/process-exit.js';
import type { GitRef, GitSource } from './git-source.js';
import { redactText, redactUrl } from '../../diagnostics/redact.js';

// The bare clones in the download folder (`downloads/git/<host>/<path>.git`)
// and the only git commands that touch the network. A clone fetches just the
// branch or tag a source names, so "the commit is in the clone and reachable
// from that ref" is exactly the check a recipe's pin needs. Offline, a clone
// is used as it is and never fetched.

export interface GitResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

// Never prompt for a password (a fetch would hang in the fetch phase), and
// speak English so messages can be matched.
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', LC_ALL: 'C', LANGUAGE: 'C' };

export async function git(args: readonly string[], gitDir?: string): Promise<GitResult> {
  const r = await runProcess('git', gitDir ? ['--git-dir', gitDir, ...args] : args, { env: { ...process.env, ...GIT_ENV } });
  if (r.exit.kind === 'not-found' || r.exit.kind === 'cannot-start')
    throw new Error(`cannot run git: ${describeExit(r.exit)} (is it installed? scripts/setup.sh installs it)`);
  return { code: r.exit.kind === 'exited' ? r.exit.code : -1, stdout: r.stdout, stderr: redactText(r.stderr.trim()) };
}

const refPath = (ref: GitRef): string => `refs/${ref.kind === 'branch' ? 'heads' : 'tags'}/${ref.name}`;
const refWords = (ref: GitRef): string => `${ref.kind} '${ref.name}'`;

export class BareClone {
  constructor(readonly path: string) {}

  static of(downloads: string, src: GitSource): BareClone {
    return new BareClone(join(downloads, src.clone));
  }

  exists(): boolean {
    return existsSync(join(this.path, 'HEAD'));
  }

  async hasCommit(rev: string): Promise<boolean> {
    return this.exists() && (await git(['cat-file', '-e', `${rev}^{commit}`], this.path)).code === 0;
  }

  /** The commit a ref points at in this clone, if it has the ref. */
  async refCommit(ref: GitRef): Promise<string | undefined> {
    const r = await git(['rev-parse', '--verify', '--quiet', `${refPath(ref)}^{commit}`], this.path);
    return r.code === 0 ? r.stdout.toString().trim() : undefined;
  }

  async isReachable(rev: string, ref: GitRef): Promise<boolean> {
    return (await git(['merge-base', '--is-ancestor', rev, refPath(ref)], this.path)).code === 0;
  }

  /** Made under a temporary name and renamed, so a half-made clone never looks like one. */
  private async create(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeAtomically(
      this.path,
      async (tmp) => {
        const r = await git(['init', '--bare', '--quiet', tmp]);
        if (r.code !== 0) throw new Error(`git init ${tmp} failed: ${r.stderr}`);
      },
      { exclusive: true },
    ).catch((e) => {
      // Another process made it first: theirs is as good as ours.
      if (!this.exists()) throw e;
    });
  }

  /** Fetches one branch or tag (with its history) from `url`; the error text on failure. */
  async fetch(url: string, ref: GitRef): Promise<string | undefined> {
    if (!this.exists()) await this.create();
    const spec = `+${refPath(ref)}:${refPath(ref)}`;
    // The URL is passed each time, never stored in the clone's config, so
    // credentials in it are not written to disk.
    const r = await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', url, spec], this.path);
    return r.code === 0 ? undefined : r.stderr || `git fetch exited with code ${r.code}`;
  }
}

/**
 * Makes sure the clone holds `src.rev`, reachable from its branch or tag:
 * from the clone alone when it already does, else by fetching the ref
 * (never when offline). Returns undefined when ready, `missing` when this
 * clone cannot provide it (mirrors may), or a diagnostic when upstream
 * itself says the pin is wrong.
 */
export function ensureCommit(
  clone: BareClone,
  src: GitSource,
  offline: boolean,
  onNetwork: () => void = () => {},
): Promise<{ missing: string } | Diagnostic | undefined> {
  // Sources of one repository are fetched one at a time: concurrent fetches
  // into one clone would fight over its ref locks.
  const prev = queues.get(clone.path) ?? Promise.resolve();
  const mine = prev.then(() => ensureCommitNow(clone, src, offline, onNetwork));
  const tail = mine.catch(() => {});
  queues.set(clone.path, tail);
  void tail.then(() => queues.get(clone.path) === tail && queues.delete(clone.path));
  return mine;
}

const queues = new Map<string, Promise<unknown>>();

async function ensureCommitNow(
  clone: BareClone,
  src: GitSource,
  offline: boolean,
  onNetwork: () => void,
): Promise<{ missing: string } | Diagnostic | undefined> {
  const ready = async () => (await clone.hasCommit(src.rev)) && (await clone.refCommit(src.ref)) !== undefined && (await clone.isReachable(src.rev, src.ref));
  if (await ready()) return undefined;
  if (offline) return { missing: clone.exists() ? `${clone.path}: has no commit ${src.rev} on ${refWords(src.ref)}` : `${clone.path}: no clone` };
  onNetwork();
  const failed = await clone.fetch(src.url, src.ref);
  // Upstream unreachable is not the end: mirrors come next, and this goes in the list of places tried.
  if (failed) return { missing: `git fetch of ${refWords(src.ref)} from ${redactUrl(src.url)} failed: ${failed}` };
  if (await ready()) return undefined;
  const tip = await clone.refCommit(src.ref);
  return diag('git-rev-unreachable', `${src.recipe}: commit ${src.rev} is not on ${refWords(src.ref)} of ${redactUrl(src.url)}`, src.loc, {
    hint: `${src.ref.kind} '${src.ref.name}' is at ${tip ?? '(unknown)'}; check the rev, or name the ${src.ref.kind === 'branch' ? 'branch' : 'tag'} the commit was published on`,
  });
}

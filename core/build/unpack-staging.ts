import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decompressed } from '../archive/decompress.js';
import { debTarStream } from '../archive/deb-safety.js';
import { listWhileExtracting } from '../archive/extract-while-listing.js';
import { unpackedSize } from '../archive/tar-listing.js';
import { memberProblems, type LinkLookup, type MemberProblem } from '../archive/unpack-safety.js';
import type { TarEntry } from '../archive/tar-reader.js';
import { diag, type SourceLocation } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/printer.js';
import { runProcess } from '../exec/launch.js';
import { describeExit } from '../exec/process-exit.js';
import { sandboxCommand, type SandboxSpec } from '../exec/sandbox.js';
import { recipeSources, type Source } from '../fetch/source.js';
import type { Recipe } from '../resolve/recipe.js';
import { TaskFailed, type BuildContext } from './context.js';
import { sourcePath, taskSandbox } from './task-sandbox.js';
import { adoptWorkdir } from './workdir-owner.js';

// Before the unpack script runs, each archive is decompressed once and the
// stream goes both to our lister and to a `tar -x` extracting it into a
// staging folder of its own, WORKDIR/.strata-unpack/<source number>, laid
// out like the work folder (core/archive/extract-while-listing.ts): xz, the
// check and tar's writes overlap, as `tar -xJf` by hand overlaps xz and tar.
// Only when every archive passed the check (unpack-safety.ts: all archives
// together, with the links already in the work folder) does the script
// move the staged trees into place (core/build/tasks/unpack.ts); a refused
// archive, a bomb or an unreadable one fails the task with the staging
// folder removed, so nothing of it reaches the work folder.
//
// The staging tar runs before its input is judged, so it runs in the task
// sandbox (core/exec/sandbox.ts) with nothing writable but its own staging
// folder: a hostile member (`..`, an absolute path, a symlink then a member
// written through it, a hard link out) can write there, in the sandbox's
// own throwaway tmpfs, or nowhere. Its flags are the script's: those of
// `tar -xf` for a tarball, those `dpkg-deb -x` passes its tar for a package
// (`-x -p --warning=no-timestamp`, dpkg's src/deb/extract.c).

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst)$/;

export const isArchive = (s: Source): boolean => s.unpack && ARCHIVE.test(s.name);
export const isDeb = (s: Source): boolean => s.unpack && s.name.endsWith('.deb');

/** The folder, at the top of the work folder, of the staged trees; no archive member may land in it. */
export const STAGING = '.strata-unpack';

/** Where the `i`th source of the recipe is staged: a folder laid out like the work folder. */
export const stagedOf = (workdir: string, i: number): string => `${workdir}/${STAGING}/${i}`;

/** The folder a package's tree lands in, below the work folder (or its staging folder); it stands for the device's `/`. */
export const debFolder = (s: Source): string => basename(s.name, '.deb');

/** `tar -x`'s options for a tarball: owners and modes are not the archive's (the task's umask applies). */
export const TAR_X = ['--no-same-owner', '--no-same-permissions'];
/** Those dpkg-deb -x gives tar for a package's tree. */
const DEB_X = ['-p', '--warning=no-timestamp'];

/**
 * rm -rf (a staged kernel tree is ~80,000 files, which Node's own recursive
 * removal takes far longer over), and it must succeed: what is left in the
 * staging folder would be moved into place unchecked by the next unpack. Not
 * as root, an archive's folder without write permission (mode 0500) stops
 * rm, so its owner first gives itself the right.
 */
export async function removeTree(path: string): Promise<void> {
  await runProcess('rm', ['-rf', '--', path]);
  if (!existsSync(path)) return;
  await runProcess('chmod', ['-R', 'u+rwx', '--', path]);
  const { exit, stderr } = await runProcess('rm', ['-rf', '--', path]);
  if (existsSync(path)) throw new TaskFailed(`cannot remove ${path}, where unpack stages archives: ${stderr.trim() || describeExit(exit)}; remove it by hand`);
}

/** Symlinks already under `dir`, by path below it, except under `gone` (removed before extracting). */
function linksOnDisk(dir: string, gone?: string): LinkLookup {
  return (rel) => {
    const p = join(dir, rel);
    if (gone && (p === gone || p.startsWith(gone + '/'))) return undefined;
    try {
      return lstatSync(p).isSymbolicLink() ? readlinkSync(p) : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * The staging tar's command line: the recipe's task sandbox (its uid, its
 * host name) with nothing of the host writable but `staged` and nothing
 * extra to read (tar reads its standard input), extracting into `into`.
 */
export function stagingTar(task: SandboxSpec, staged: string, into: string, options: readonly string[]): string[] {
  const spec = { ...task, writable: [staged], readOnly: [] };
  return sandboxCommand(spec, process.getuid?.() === 0, ['tar', '-x', '-f', '-', '-C', into, ...options]);
}

/** Starts the staging of the recipe's `i`th source: decompressed once, listed while a sandboxed tar extracts it. */
function stage(r: Recipe, ctx: BuildContext, i: number, src: Source, opts: { maxBytes: number; signal: AbortSignal }) {
  const staged = stagedOf(r.data.get('WORKDIR'), i);
  const into = isDeb(src) ? join(staged, debFolder(src)) : staged;
  const tar = stagingTar(taskSandbox(r, ctx), staged, into, isDeb(src) ? DEB_X : TAR_X);
  const path = sourcePath(src, ctx);
  return listWhileExtracting(isDeb(src) ? debTarStream(path) : decompressed(path), tar, { maxBytes: opts.maxBytes, abort: opts.signal });
}

/**
 * Stages every archive of the recipe and refuses the whole unpack when any
 * holds a hostile member or all of them together would write more than
 * UNPACK_MAX_SIZE; the caller removes the staging folder whatever happens.
 * The archives extracted into the work folder are checked together, with
 * the links already there: one archive's link can redirect another's
 * members. A staged tree that tar could not extract whole, though the
 * archive passed (a hard link to a file an earlier archive extracted, a
 * full disk), is removed: the script then extracts that archive itself.
 */
export async function stageArchives(r: Recipe, ctx: BuildContext, signal: AbortSignal): Promise<void> {
  const workdir = r.data.get('WORKDIR');
  const S = r.data.get('S');
  const failures: string[] = [];
  const refuse = (loc: SourceLocation | undefined, path: string, problems: MemberProblem[]) => {
    const shown = problems.slice(0, 10).map((p) => `member '${p.member}' ${p.reason}`);
    if (problems.length > 10) shown.push(`… and ${problems.length - 10} more`);
    const d = diag('unpack-unsafe-member', `${r.name}: refusing to unpack ${path}:\n    ${shown.join('\n    ')}`, loc, {
      hint: 'nothing was extracted; archive members must stay inside the work folder and be files, folders or links (no devices or fifos). If the archive is what upstream publishes, extract it in a task instead (unpack: false).',
    });
    failures.push(formatDiagnostic(d));
  };
  const archives = recipeSources(r)
    .map((src, i) => ({ src, i, loc: r.sources[i].loc }))
    .filter((a) => isArchive(a.src) || isDeb(a.src));
  // Made by Strata, handed to the sandbox's uid (as root) before its tar writes there.
  await mkdir(join(workdir, STAGING), { recursive: true });
  for (const a of archives) await mkdir(isDeb(a.src) ? join(stagedOf(workdir, a.i), debFolder(a.src)) : stagedOf(workdir, a.i), { recursive: true });
  await adoptWorkdir(workdir, taskSandbox(r, ctx).uid);
  const together: { entry: TarEntry; source: number }[] = [];
  const listed: { loc?: SourceLocation; path: string }[] = [];
  const unextracted: number[] = [];
  const limit = unpackLimit(r);
  let bytes = 0;
  for (const { src, i, loc } of archives) {
    const path = sourcePath(src, ctx);
    let staged;
    try {
      staged = await stage(r, ctx, i, src, { maxBytes: limit.bytes - bytes, signal });
    } catch (e) {
      if (signal.aborted) break;
      failures.push(formatDiagnostic(diag('unpack-unreadable', `${r.name}: cannot read ${path}: ${(e as Error).message}`, loc)));
      continue;
    }
    const { listing } = staged;
    if (!staged.extracted) unextracted.push(i);
    if ('unreadable' in listing) {
      refuse(loc, path, [listing.unreadable]);
      continue;
    }
    for (const e of listing.entries) bytes += unpackedSize(e);
    if (listing.overLimit) {
      // Listing stopped at the member that passed the limit: the rest is neither decompressed nor extracted.
      const d = diag('unpack-too-large', `${r.name}: its archives would write at least ${(bytes / 2 ** 20).toFixed(0)} MiB, more than UNPACK_MAX_SIZE (${limit.text})`, r.sources[0]?.loc, {
        hint: 'nothing was extracted; if the sources really are that large, raise the limit in the recipe, e.g. `vars: { UNPACK_MAX_SIZE: 20G }`',
      });
      failures.push(formatDiagnostic(d));
      break;
    }
    if (isDeb(src)) {
      // A package tree lands in its own folder, which stands for the device's `/`.
      const problems = memberProblems(listing.entries, { rooted: true, onDisk: linksOnDisk(join(workdir, debFolder(src))) });
      if (problems.length) refuse(loc, path, problems);
      continue;
    }
    listed.push({ loc, path });
    for (const entry of listing.entries) together.push({ entry, source: listed.length - 1 });
  }
  if (signal.aborted) throw new TaskFailed(`${r.name}:unpack was stopped`);
  const problems = memberProblems(
    together.map((x) => x.entry),
    { onDisk: linksOnDisk(workdir, S !== workdir ? S : undefined), reserved: STAGING },
  );
  listed.forEach((a, n) => {
    const mine = problems.filter((p) => together[p.index!].source === n);
    if (mine.length) refuse(a.loc, a.path, mine);
  });
  if (failures.length) throw new TaskFailed(failures.join('\n'));
  for (const i of unextracted) await removeTree(stagedOf(workdir, i));
}

/** How much all of a recipe's archives may write when unpacked: UNPACK_MAX_SIZE (bytes, or with K, M, G), 8G by default. */
function unpackLimit(r: Recipe): { bytes: number; text: string } {
  const text = r.data.getOr('UNPACK_MAX_SIZE', '8G').trim();
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text);
  if (!m) throw new TaskFailed(`${r.name}: UNPACK_MAX_SIZE is '${text}'; write a size such as 512M or 20G`);
  return { bytes: Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase()), text };
}

import { lstatSync, readlinkSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { listDeb } from '../../archive/deb-safety.js';
import { unpackedSize } from '../../archive/tar-listing.js';
import { listArchive, memberProblems, type LinkLookup, type MemberProblem } from '../../archive/unpack-safety.js';
import type { TarEntry } from '../../archive/tar-reader.js';
import { diag, type SourceLocation } from '../../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../diagnostics/printer.js';
import { quote } from '../../exec/task-script.js';
import { recipeSources, type Source } from '../../fetch/source.js';
import type { Recipe } from '../../resolve/recipe.js';
import { TaskFailed, type BuildContext, type TaskImplementation } from '../context.js';
import { parsePatchFailure, patchMarker } from '../patch-failure.js';
import { recipeScript, runShellTask, scriptVariables } from '../shell-task.js';
import { sourcePath } from '../task-sandbox.js';

// unpack and patch are ordinary shell scripts Strata writes for the recipe,
// so they are logged and re-runnable like every other task. Before the
// unpack script runs, every archive is listed and refused if a member could
// land outside the work folder or is a device (core/archive/unpack-safety.ts).
// A compressed archive (or a package) is decompressed once: into a copy in
// COPIES, listed as it is written (core/archive/decompressed-copy.ts); the
// script extracts the copy, which is removed when the task ends, whatever its end.
// After a failed patch, patch's own output is read back to name the patch,
// where the recipe lists it, and the hunks that failed.

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst)$/;
export const isPatch = (s: Source): boolean => /\.(patch|diff)$/.test(s.name);


/** Sources with where each is written; recipeSources keeps the order of `r.sources`, one for one. */
function locatedSources(r: Recipe): { src: Source; loc: SourceLocation }[] {
  return recipeSources(r).map((src, i) => ({ src, loc: r.sources[i].loc }));
}

const isArchive = (s: Source): boolean => s.unpack && ARCHIVE.test(s.name);
const isDeb = (s: Source): boolean => s.unpack && s.name.endsWith('.deb');

/** The folder, at the top of the work folder, of the decompressed copies; no archive member may land in it. */
export const COPIES = '.strata-unpack';

/** Where the unpack keeps the decompressed tar stream of the recipe's `i`th source: none for a plain .tar, read as it is. */
function copyOf(s: Source, i: number, workdir: string): string | undefined {
  if (!(isArchive(s) || isDeb(s)) || s.name.endsWith('.tar')) return undefined;
  return `${workdir}/${COPIES}/${i}-${s.name.replace(/\.(tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst|deb)$/, '')}.tar`;
}

/** The commands extracting from the checked copy when it is there, else the archive's own (a re-run of the script by hand). */
function preferCopy(copy: string | undefined, fromArchive: string[], fromCopy: (copy: string) => string[]): string[] {
  if (!copy) return fromArchive;
  const indent = (l: string[]) => l.map((x) => `  ${x}`);
  return [`if [ -f ${quote(copy)} ]; then`, ...indent(fromCopy(quote(copy))), 'else', ...indent(fromArchive), 'fi'];
}

export function unpackScript(r: Recipe, ctx: BuildContext): string {
  return recipeScript(r, ctx, 'unpack', unpackBody(r, ctx), r.data.get('WORKDIR'));
}

/** The commands of the unpack task, without the script's fixed header. */
function unpackBody(r: Recipe, ctx: BuildContext): string {
  const workdir = r.data.get('WORKDIR');
  const S = r.data.get('S');
  const lines: string[] = [];
  // Start from clean sources: a re-run must not build on last time's files.
  if (S !== workdir && S.startsWith(workdir + '/')) lines.push(`rm -rf ${quote(S)}`);
  const sources = recipeSources(r);
  if (sources.some((s, i) => copyOf(s, i, workdir)))
    lines.push(`# Strata decompressed each archive once, into ${COPIES}, to check its members; the copy is extracted. Run by hand, the archive is.`);
  for (const [i, s] of sources.entries()) {
    if (isPatch(s)) continue;
    const p = sourcePath(s, ctx);
    const copy = copyOf(s, i, workdir);
    // A git tarball holds one folder, the checkout: replace it whole.
    if (s.kind === 'git' && s.unpack) lines.push(`rm -rf ${quote(`${workdir}/${s.checkout}`)}`);
    if (isArchive(s)) {
      const tar = (f: string) => [`tar -xf ${f} -C ${quote(workdir)} --no-same-owner --no-same-permissions`];
      lines.push(...preferCopy(copy, tar(quote(p)), tar));
    } else if (isDeb(s)) {
      const into = quote(`${workdir}/${basename(s.name, '.deb')}`);
      // The copy is what `dpkg-deb -x` decompresses and extracts with `tar -x -p -f - --warning=no-timestamp` (dpkg's src/deb/extract.c).
      lines.push(...preferCopy(copy, [`dpkg-deb -x ${quote(p)} ${into}`], (f) => [`mkdir -p ${into}`, `tar -xpf ${f} --warning=no-timestamp -C ${into}`]));
    } else lines.push(`rm -rf ${quote(`${workdir}/${s.name}`)}`, `cp -R ${quote(p)} ${quote(`${workdir}/${s.name}`)}`);
  }
  lines.push(`mkdir -p ${quote(S)}`);
  return lines.join('\n');
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
 * Refuses the whole unpack, before anything is extracted, when any archive
 * holds a hostile member or all of them together would write more than
 * UNPACK_MAX_SIZE. The archives extracted into the work folder are checked
 * together, with the links already there: one archive's link can redirect
 * another's members. Leaves the decompressed copies in COPIES for the script.
 */
async function checkArchives(r: Recipe, ctx: BuildContext): Promise<void> {
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
  const together: { entry: TarEntry; source: number }[] = [];
  const listed: { loc?: SourceLocation; path: string }[] = [];
  const limit = unpackLimit(r);
  let bytes = 0;
  await mkdir(join(workdir, COPIES), { recursive: true });
  for (const [i, { src, loc }] of locatedSources(r).entries()) {
    if (!isArchive(src) && !isDeb(src)) continue;
    const path = sourcePath(src, ctx);
    const opts = { copyTo: copyOf(src, i, workdir), maxBytes: limit.bytes - bytes };
    let listing;
    try {
      listing = isDeb(src) ? await listDeb(path, opts) : await listArchive(path, opts);
    } catch (e) {
      failures.push(formatDiagnostic(diag('unpack-unreadable', `${r.name}: cannot read ${path}: ${(e as Error).message}`, loc)));
      continue;
    }
    if ('unreadable' in listing) {
      refuse(loc, path, [listing.unreadable]);
      continue;
    }
    for (const e of listing.entries) bytes += unpackedSize(e);
    if (listing.overLimit) {
      // Listing stopped at the member that passed the limit: the rest is neither decompressed nor copied.
      const d = diag('unpack-too-large', `${r.name}: its archives would write at least ${(bytes / 2 ** 20).toFixed(0)} MiB, more than UNPACK_MAX_SIZE (${limit.text})`, r.sources[0]?.loc, {
        hint: 'nothing was extracted; if the sources really are that large, raise the limit in the recipe, e.g. `vars: { UNPACK_MAX_SIZE: 20G }`',
      });
      failures.push(formatDiagnostic(d));
      break;
    }
    if (isDeb(src)) {
      // A package tree lands in its own folder, which stands for the device's `/`.
      const into = join(workdir, basename(src.name, '.deb'));
      const problems = memberProblems(listing.entries, { rooted: true, onDisk: linksOnDisk(into) });
      if (problems.length) refuse(loc, path, problems);
      continue;
    }
    listed.push({ loc, path });
    for (const entry of listing.entries) together.push({ entry, source: listed.length - 1 });
  }
  const problems = memberProblems(
    together.map((x) => x.entry),
    { onDisk: linksOnDisk(workdir, S !== workdir ? S : undefined), reserved: COPIES },
  );
  listed.forEach((a, i) => {
    const mine = problems.filter((p) => together[p.index!].source === i);
    if (mine.length) refuse(a.loc, a.path, mine);
  });
  if (failures.length) throw new TaskFailed(failures.join('\n'));
}

/** How much all of a recipe's archives may write when unpacked: UNPACK_MAX_SIZE (bytes, or with K, M, G), 8G by default. */
function unpackLimit(r: Recipe): { bytes: number; text: string } {
  const text = r.data.getOr('UNPACK_MAX_SIZE', '8G').trim();
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text);
  if (!m) throw new TaskFailed(`${r.name}: UNPACK_MAX_SIZE is '${text}'; write a size such as 512M or 20G`);
  return { bytes: Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase()), text };
}

export function patchScript(r: Recipe, ctx: BuildContext): string {
  return recipeScript(r, ctx, 'patch', patchBody(r, ctx), r.data.get('S'));
}

function patchBody(r: Recipe, ctx: BuildContext): string {
  const patches = recipeSources(r).filter(isPatch);
  const lines = patches.map((s, i) => `echo ${quote(patchMarker(i, patches.length, s.name))}\npatch -p1 --forward --batch -d "$S" < ${quote(sourcePath(s, ctx))}`);
  return lines.join('\n') || ': no patches';
}

/** Rewrites a failed patch task's error so it names the patch, where it is listed, and the failed hunks. */
async function explainPatchFailure(r: Recipe, ctx: BuildContext, log: string, failed: TaskFailed): Promise<TaskFailed> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const f = parsePatchFailure(text);
  const patch = f && locatedSources(r).filter((x) => isPatch(x.src))[f.index];
  if (!f || !patch) return failed;
  const S = r.data.get('S');
  const d = diag('patch-failed', `${r.name}: patch ${f.name} does not apply to ${S}:\n    ${f.problems.join('\n    ')}`, patch.loc, {
    related: [{ message: `the patch: ${sourcePath(patch.src, ctx)}` }],
    hint: `${f.rejects.length ? `rejected hunks are in ${f.rejects.map((x) => `${S}/${x}`).join(', ')}; ` : ''}refresh the patch against this version of the sources (log: ${log})`,
  });
  return new TaskFailed(formatDiagnostic(d), log);
}

const recipeOf = (payload: unknown): Recipe => (payload as { recipe: Recipe }).recipe;

export const unpackTask: TaskImplementation = {
  // The commands (sources' contents are in the fetch task's record, which
  // this task depends on) and the variables its script uses.
  inputs: (node, ctx) => ({ vars: scriptVariables(recipeOf(node.payload), 'unpack', 'WORKDIR'), settings: unpackBody(recipeOf(node.payload), ctx) }),
  async run(t) {
    const r = recipeOf(t.node.payload);
    // Copies left by a run that was killed before it could remove them go first.
    const copies = join(r.data.get('WORKDIR'), COPIES);
    await rm(copies, { recursive: true, force: true });
    try {
      await checkArchives(r, t.ctx);
      await runShellTask(t, r, 'unpack', unpackScript(r, t.ctx));
    } finally {
      await rm(copies, { recursive: true, force: true });
    }
  },
};

export const patchTask: TaskImplementation = {
  inputs: (node, ctx) => ({ vars: scriptVariables(recipeOf(node.payload), 'patch', 'S'), settings: patchBody(recipeOf(node.payload), ctx) }),
  async run(t) {
    const r = recipeOf(t.node.payload);
    try {
      await runShellTask(t, r, 'patch', patchScript(r, t.ctx));
    } catch (e) {
      if (e instanceof TaskFailed && !t.signal.aborted) throw await explainPatchFailure(r, t.ctx, t.log, e);
      throw e;
    }
  },
};

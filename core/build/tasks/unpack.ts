import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diag, type SourceLocation } from '../../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../diagnostics/printer.js';
import { quote } from '../../exec/task-script.js';
import { recipeSources, type Source } from '../../fetch/source.js';
import type { Recipe } from '../../resolve/recipe.js';
import { TaskFailed, type BuildContext, type TaskImplementation } from '../context.js';
import { parsePatchFailure, patchMarker } from '../patch-failure.js';
import { recipeScript, runShellTask, scriptVariables } from '../shell-task.js';
import { sourcePath } from '../task-sandbox.js';
import { debFolder, isArchive, isDeb, removeTree, stagedOf, stageArchives, STAGING, TAR_X } from '../unpack-staging.js';

// unpack and patch are ordinary shell scripts Strata writes for the recipe,
// so they are logged and re-runnable like every other task. Before the
// unpack script runs, every archive is decompressed once, listed and
// extracted at the same time into a staging folder, and refused if a member
// could land outside the work folder or is a device
// (core/build/unpack-staging.ts); the script then moves each checked tree
// into place where tar would have put it. Run by hand, with nothing staged,
// the same script extracts the archives themselves.
// After a failed patch, patch's own output is read back to name the patch,
// where the recipe lists it, and the hunks that failed.

export const isPatch = (s: Source): boolean => /\.(patch|diff)$/.test(s.name);

/** Sources with where each is written; recipeSources keeps the order of `r.sources`, one for one. */
function locatedSources(r: Recipe): { src: Source; loc: SourceLocation }[] {
  return recipeSources(r).map((src, i) => ({ src, loc: r.sources[i].loc }));
}

/**
 * Moving a staged tree into place. tar extracting into the work folder
 * replaces files, merges into folders that are there and writes through
 * links that are there; a rename does that only where none of the tree's
 * top-level names is taken, which is the common case (a fresh unpack: the
 * script removed S first, and the archive's one folder is S). Every member
 * path starts with a top-level name, so then tar would have met nothing on
 * disk either; the one thing a rename loses is what a `./` member sets on
 * the work folder itself (its mode and time), which nothing reads. Otherwise,
 * a re-run over a tree the script does not remove, a second archive into
 * the same folder, the archive itself is extracted as by hand (decompressed
 * a second time, from the same read-only, checked file), so the result is
 * what `tar -x` gives in every case, without a merge of our own.
 */
const PLACE = [
  '# strata_fresh DIR TO: none of the names at the top of DIR is taken in TO.',
  'strata_fresh() (',
  '  cd -- "$1" || exit 2',
  '  for f in * .[!.]* ..?*; do',
  '    if { [ -e "$f" ] || [ -L "$f" ]; } && { [ -e "$2/$f" ] || [ -L "$2/$f" ]; }; then exit 1; fi',
  '  done',
  ')',
  '# strata_move DIR TO: moves them there, by rename (DIR is in the work folder).',
  'strata_move() (',
  '  cd -- "$1"',
  '  for f in * .[!.]* ..?*; do',
  '    if [ -e "$f" ] || [ -L "$f" ]; then mv -- "$f" "$2/$f"; fi',
  '  done',
  ')',
];

/** The commands placing the staged tree `staged` into `to` when it can be renamed there, else running `byHand`. */
function placeOr(staged: string, to: string, byHand: string[]): string[] {
  const [dir, into] = [quote(staged), quote(to)];
  return [`if [ -d ${dir} ] && strata_fresh ${dir} ${into}; then`, `  strata_move ${dir} ${into}`, 'else', `  rm -rf ${dir}`, ...byHand.map((x) => `  ${x}`), 'fi'];
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
  if (sources.some((s) => isArchive(s) || isDeb(s))) {
    lines.push(`# Strata extracted each archive, while checking it, into ${STAGING}/<source number>; the checked tree is moved into place. Run by hand, the archives are extracted.`);
    lines.push(...PLACE);
  }
  for (const [i, s] of sources.entries()) {
    if (isPatch(s)) continue;
    const p = quote(sourcePath(s, ctx));
    // A git tarball holds one folder, the checkout: replace it whole.
    if (s.kind === 'git' && s.unpack) lines.push(`rm -rf ${quote(`${workdir}/${s.checkout}`)}`);
    if (isArchive(s)) lines.push(...placeOr(stagedOf(workdir, i), workdir, [`tar -xf ${p} -C ${quote(workdir)} ${TAR_X.join(' ')}`]));
    else if (isDeb(s)) lines.push(...placeOr(stagedOf(workdir, i), workdir, [`dpkg-deb -x ${p} ${quote(`${workdir}/${debFolder(s)}`)}`]));
    else lines.push(`rm -rf ${quote(`${workdir}/${s.name}`)}`, `cp -R ${p} ${quote(`${workdir}/${s.name}`)}`);
  }
  lines.push(`mkdir -p ${quote(S)}`);
  return lines.join('\n');
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
    // Staged trees left by a run that was killed before it could remove them go first.
    const staging = join(r.data.get('WORKDIR'), STAGING);
    await removeTree(staging);
    try {
      await stageArchives(r, t.ctx, t.signal);
      await runShellTask(t, r, 'unpack', unpackScript(r, t.ctx));
    } finally {
      await removeTree(staging);
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

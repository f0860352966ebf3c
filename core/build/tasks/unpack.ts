import { basename } from 'node:path';
import { quote } from '../../exec/task-script.js';
import { recipeSources, type Source } from '../../fetch/source.js';
import type { Recipe } from '../../resolve/recipe.js';
import type { BuildContext, TaskImplementation } from '../context.js';
import { recipeScript, runShellTask } from '../shell-task.js';

// unpack and patch are ordinary shell scripts Strata writes for the recipe,
// so they are logged and re-runnable like every other task.

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst)$/;
export const isPatch = (s: Source): boolean => /\.(patch|diff)$/.test(s.name);

function pathOf(s: Source, ctx: BuildContext): string {
  return s.kind === 'local' ? s.path : ctx.fetcher.dir.finalPath(s.name);
}

export function unpackScript(r: Recipe, ctx: BuildContext): string {
  const workdir = r.data.get('WORKDIR');
  const S = r.data.get('S');
  const lines: string[] = [];
  // Start from clean sources: a re-run must not build on last time's files.
  if (S !== workdir && S.startsWith(workdir + '/')) lines.push(`rm -rf ${quote(S)}`);
  for (const s of recipeSources(r).filter((x) => !isPatch(x))) {
    const p = quote(pathOf(s, ctx));
    // A git tarball holds one folder, the checkout: replace it whole.
    if (s.kind === 'git' && s.unpack) lines.push(`rm -rf ${quote(`${workdir}/${s.checkout}`)}`);
    if (s.unpack && ARCHIVE.test(s.name)) lines.push(`tar -xf ${p} -C ${quote(workdir)} --no-same-owner --no-same-permissions`);
    else if (s.unpack && s.name.endsWith('.deb')) lines.push(`dpkg-deb -x ${p} ${quote(`${workdir}/${basename(s.name, '.deb')}`)}`);
    else lines.push(`rm -rf ${quote(`${workdir}/${s.name}`)}`, `cp -R ${p} ${quote(`${workdir}/${s.name}`)}`);
  }
  lines.push(`mkdir -p ${quote(S)}`);
  return recipeScript(r, 'unpack', lines.join('\n'), workdir);
}

export function patchScript(r: Recipe, ctx: BuildContext): string {
  const lines = recipeSources(r)
    .filter(isPatch)
    .map((s) => `echo "applying ${s.name}"\npatch -p1 --forward --batch -d "$S" < ${quote(pathOf(s, ctx))}`);
  return recipeScript(r, 'patch', lines.join('\n') || ': no patches', r.data.get('S'));
}

const recipeOf = (payload: unknown): Recipe => (payload as { recipe: Recipe }).recipe;

export const unpackTask: TaskImplementation = {
  inputs: (node, ctx) => unpackScript(recipeOf(node.payload), ctx),
  run: (t) => runShellTask(t, recipeOf(t.node.payload), 'unpack', unpackScript(recipeOf(t.node.payload), t.ctx)),
};

export const patchTask: TaskImplementation = {
  inputs: (node, ctx) => patchScript(recipeOf(node.payload), ctx),
  run: (t) => runShellTask(t, recipeOf(t.node.payload), 'patch', patchScript(recipeOf(t.node.payload), t.ctx)),
};

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assignFiles, writePackages } from '../../package/split.js';
import { walkTree } from '../../package/walk.js';
import type { Recipe } from '../../resolve/recipe.js';
import { TaskFailed, type TaskImplementation } from '../context.js';

const recipeOf = (p: unknown): Recipe => (p as { recipe: Recipe }).recipe;

/** Where a recipe's split packages live: `<WORKDIR>/packages-split/<pkg>/`. */
export const packagesDir = (r: Recipe): string => join(r.data.get('WORKDIR'), 'packages-split');

export const packageTask: TaskImplementation = {
  inputs: (node) => JSON.stringify(recipeOf(node.payload).packages.map((p) => [p.name, p.patterns])),
  outputs: (node) => [packagesDir(recipeOf(node.payload))],
  async run(t) {
    const r = recipeOf(t.node.payload);
    const D = r.data.get('D');
    await mkdir(D, { recursive: true });
    const { packages, unshipped } = assignFiles(existsSync(D) ? walkTree(D) : [], r.packages);
    if (unshipped.length) {
      throw new TaskFailed(`${r.name}:package: files installed but not in any package:\n  ${unshipped.slice(0, 20).join('\n  ')}${unshipped.length > 20 ? `\n  … and ${unshipped.length - 20} more` : ''}\n  add patterns under 'packages:' in ${r.file}, or stop installing them`);
    }
    await writePackages(packages, packagesDir(r));
    await writeFile(t.log, [...packages].map(([name, list]) => `${name}: ${list.filter((e) => e.type !== 'dir').length} files`).join('\n') + '\n');
  },
};

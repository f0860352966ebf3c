import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { sysrootRecipes } from '../../graph/plan.js';
import type { Recipe } from '../../resolve/recipe.js';
import type { TaskImplementation } from '../context.js';

// A recipe builds against a sysroot holding only what its declared
// dependencies installed (transitively), so an undeclared dependency fails
// instead of working by accident.

const recipeOf = (p: unknown): Recipe => (p as { recipe: Recipe }).recipe;

export const sysrootTask: TaskImplementation = {
  inputs: (node, ctx) => `sysroot from: ${sysrootRecipes(ctx.cfg, recipeOf(node.payload)).map((d) => d.name).join(' ')}`,
  async run(t) {
    const r = recipeOf(t.node.payload);
    const sysroot = r.data.get('SYSROOT');
    await rm(sysroot, { recursive: true, force: true });
    await mkdir(sysroot, { recursive: true });
    const lines: string[] = [];
    for (const dep of sysrootRecipes(t.ctx.cfg, r)) {
      const D = dep.data.get('D');
      if (!existsSync(D)) continue;
      await cp(D, sysroot, { recursive: true, verbatimSymlinks: true, force: true, preserveTimestamps: true });
      lines.push(`${dep.name}: copied ${D}`);
    }
    await writeFile(t.log, (lines.join('\n') || 'no dependencies') + '\n');
  },
};

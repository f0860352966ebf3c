import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImagePlan } from '../../graph/plan.js';
import { buildRootfs } from '../../rootfs/build-rootfs.js';
import type { ManifestEntry } from '../../rootfs/manifest.js';
import { workdirOf, type TaskImplementation } from '../context.js';
import { packagesDir } from './package.js';

const planOf = (p: unknown): ImagePlan => (p as { plan: ImagePlan }).plan;
export const rootfsManifestPath = (workdir: string): string => join(workdir, 'rootfs.json');

export const rootfsTask: TaskImplementation = {
  inputs: (node) => planOf(node.payload).packages.map((p) => `${p.name} ${p.recipe.name} ${p.recipe.version}`).join('\n'),
  outputs: (node, ctx) => [rootfsManifestPath(workdirOf(node, ctx))],
  async run(t) {
    const plan = planOf(t.node.payload);
    const entries: ManifestEntry[] = buildRootfs(plan.packages.map((p) => ({ name: p.name, dir: packagesDir(p.recipe) })));
    await mkdir(t.workdir, { recursive: true });
    const tmp = rootfsManifestPath(t.workdir) + '.tmp';
    await writeFile(tmp, JSON.stringify(entries, null, 1) + '\n');
    await rename(tmp, rootfsManifestPath(t.workdir));
    await writeFile(t.log, `${entries.length} entries from ${plan.packages.length} packages: ${plan.packages.map((p) => p.name).join(', ')}\n`);
  },
};

import { join } from 'node:path';
import type { ImagePlan } from '../../graph/plan.js';
import { workdirOf, type TaskImplementation } from '../context.js';

// The rootfs task: the install closure of the image's packages, each
// installed from its .ipk into `<image workdir>/rootfs/`: `manifest.json`
// (packages, and every path with type, owner, mode and content hash) and
// `files/<sha256>` (contents). Nothing in it names a host path, so the same
// packages give the same bytes in any build folder. What decides whether it
// must run is here; the work is in rootfs-run.ts, loaded when it runs.

const planOf = (p: unknown): ImagePlan => (p as { plan: ImagePlan }).plan;
export const rootfsDir = (workdir: string): string => join(workdir, 'rootfs');
export const rootfsManifestPath = (workdir: string): string => join(rootfsDir(workdir), 'manifest.json');

export const rootfsTask: TaskImplementation = {
  inputs: (node) => {
    const plan = planOf(node.payload);
    const d = plan.image.declarations;
    const strip = <T extends { loc?: unknown }>(l: readonly T[] = []) => l.map(({ loc: _loc, ...rest }) => rest);
    // By name: the distro's init group is one of them, so a change of `init:` re-runs the rootfs.
    return JSON.stringify({ format: 'rootfs-1', install: plan.roots.map((r) => r.name), declarations: [strip(d?.users), strip(d?.groups), strip(d?.devices), strip(d?.permissions)] });
  },
  outputs: (node, ctx) => [rootfsDir(workdirOf(node, ctx))],
  run: async (t) => (await import('./rootfs-run.js')).runRootfs(t, rootfsDir(t.workdir)),
};

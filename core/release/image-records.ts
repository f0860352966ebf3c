import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { BuildContext } from '../build/context.js';
import { deployText } from '../deploy/deploy.js';
import type { ImagePlan } from '../graph/plan.js';
import { buildManifest, type Artifact } from './build-manifest.js';
import { imageFacts } from './image-facts.js';
import { spdxDocument } from './spdx.js';
import { hostToolVersions } from './host-tools.js';
import { layerRecord } from './layer-record.js';

// Called by the image task once the image files and kernel are deployed:
// writes `<base>.manifest.json` (the build manifest) and `<base>.spdx.json`
// (the SBOM) beside them.

/**
 * What the records say beyond the task signatures: the layers' content and
 * commits and the host tools. Part of the image task's inputs, so a change
 * there (a comment in a recipe, a new commit, a node upgrade) writes the
 * manifest again instead of restoring a stale one.
 */
export async function recordInputs(plan: ImagePlan, ctx: BuildContext): Promise<object> {
  return {
    layers: await Promise.all(ctx.cfg.catalog.layers.map(layerRecord)),
    hostTools: await hostToolVersions(ctx.cfg.imageData(plan.image).getOr('TARGET_PREFIX', '')),
  };
}

export const recordNames = (base: string): string[] => [`${base}.manifest.json`, `${base}.spdx.json`];

export async function writeImageRecords(plan: ImagePlan, ctx: BuildContext, deployDir: string, base: string, deployed: readonly string[]): Promise<string[]> {
  const facts = await imageFacts(plan, ctx);
  const artifacts: Artifact[] = deployed.map((p) => ({
    name: basename(p),
    sha256: createHash('sha256').update(readFileSync(p)).digest('hex'),
    size: statSync(p).size,
  }));
  const [manifest, spdx] = recordNames(base);
  return [
    await deployText(JSON.stringify(buildManifest(facts, artifacts), null, 1) + '\n', deployDir, manifest),
    await deployText(JSON.stringify(spdxDocument(facts, artifacts), null, 1) + '\n', deployDir, spdx),
  ];
}

import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import type { BuildContext } from '../build/context.js';
import { StampStore } from '../build/stamps.js';
import { recipeSources } from '../fetch/source.js';
import { redactUrl } from '../diagnostics/redact.js';
import { planBuild, type ImagePlan } from '../graph/plan.js';
import { topologicalOrder } from '../graph/task-graph.js';
import { readRootfsManifest } from '../rootfs/manifest.js';
import { rootfsManifestPath } from '../build/tasks/rootfs.js';
import type { Recipe } from '../resolve/recipe.js';
import { hostToolVersions } from './host-tools.js';
import { OUTPUT_NAMES_HOST_PATHS } from './host-path-outputs.js';
import { layerRecord, type LayerRecord } from './layer-record.js';

// Everything known about one image after its rootfs and image files are
// written, gathered once and read by the build manifest, the SBOM, the
// licence manifest and the source archive. Paths of this build never
// appear: sources are named by URL (credentials redacted) or by their path
// inside their layer, so two builds of the same project in different
// folders give the same facts.

export interface SourceFact {
  readonly recipe: string;
  readonly kind: 'remote' | 'git' | 'local';
  /** File name (download name, or path of a local file inside its layer). */
  readonly name: string;
  /** Redacted URL; for local files `file://<name as written>`. */
  readonly url: string;
  readonly sha256: string;
  readonly commit?: string;
  readonly patch: boolean;
  /** Where the bytes are on this host (downloads or layer); never written into a manifest. */
  readonly hostPath: string;
}

export interface RecipeFact {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly layer: string;
  /** The recipe file inside its layer. */
  readonly file: string;
  readonly homepage?: string;
  readonly summary?: string;
  readonly sources: readonly SourceFact[];
}

export interface FileFact {
  readonly path: string;
  readonly sha256: string;
  readonly sha1: string;
  readonly size: number;
}

export interface PackageFact {
  readonly name: string;
  readonly recipe: string;
  readonly version: string;
  readonly license: string;
  readonly files: readonly FileFact[];
}

export interface TaskFact {
  readonly task: string;
  readonly signature: string;
  readonly output?: string;
}

export interface ImageFacts {
  readonly image: string;
  readonly machine: string;
  readonly distro: string;
  readonly sourceDateEpoch: number;
  readonly layers: readonly LayerRecord[];
  readonly recipes: readonly RecipeFact[];
  readonly packages: readonly PackageFact[];
  readonly tasks: readonly TaskFact[];
  readonly hostTools: Readonly<Record<string, string | null>>;
}

const sha = (alg: 'sha256' | 'sha1', b: Buffer): string => createHash(alg).update(b).digest('hex');
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A recipe's sources, hashed, with local files named by their path in the layer that holds them. */
export function sourceFacts(r: Recipe, ctx: Pick<BuildContext, 'cfg'>, downloads: string): SourceFact[] {
  const layers = ctx.cfg.catalog.layers;
  return recipeSources(r).map((s): SourceFact => {
    const patch = /\.(patch|diff)$/.test(s.name);
    if (s.kind === 'local') {
      const layer = layers.find((l) => s.path.startsWith(l.dir + '/'));
      const name = layer ? `${layer.name}/${relative(layer.dir, s.path)}` : s.name;
      return { recipe: r.name, kind: 'local', name, url: s.url, sha256: sha('sha256', readFileSync(s.path)), patch, hostPath: s.path };
    }
    const hostPath = join(downloads, s.name);
    const sum = s.sha256 ?? (existsSync(hostPath) ? sha('sha256', readFileSync(hostPath)) : 'unknown');
    return { recipe: r.name, kind: s.kind, name: s.name, url: redactUrl(s.url), sha256: sum, ...(s.kind === 'git' ? { commit: s.rev } : {}), patch, hostPath };
  });
}

export function recipeFact(r: Recipe, ctx: Pick<BuildContext, 'cfg'>, downloads: string): RecipeFact {
  const opt = (k: string) => r.data.getOr(k, '') || undefined;
  return {
    name: r.name,
    version: r.version,
    license: r.data.getOr('LICENSE', 'NOASSERTION'),
    layer: r.layer.name,
    file: relative(r.layer.dir, r.file),
    homepage: opt('HOMEPAGE'),
    summary: opt('SUMMARY'),
    sources: sourceFacts(r, ctx, downloads),
  };
}

/** The installed packages and their files, from the image's rootfs manifest (what really went in). */
function packageFacts(plan: ImagePlan, ctx: BuildContext): PackageFact[] {
  const rootfs = readRootfsManifest(rootfsManifestPath(ctx.layout.imageWorkdir(plan.image.name)));
  return rootfs.packages.map((p) => {
    const files = rootfs.entries
      .filter((e) => e.pkg === p.name && e.type === 'file' && e.source)
      .map((e) => {
        const data = readFileSync(e.source!);
        return { path: e.path, sha256: sha('sha256', data), sha1: sha('sha1', data), size: data.length };
      });
    return { name: p.name, recipe: p.recipe, version: p.version, license: p.license, files };
  });
}

/** Signature and output hash of every task of the image's graph that has a stamp, the image task itself excepted. */
async function taskFacts(ctx: BuildContext, image: string): Promise<TaskFact[]> {
  const graph = planBuild(ctx.cfg, image).graph;
  const stamps = new StampStore(ctx.layout.stampsDir);
  const out: TaskFact[] = [];
  for (const key of topologicalOrder(graph).sort()) {
    const node = graph.get(key);
    if (node.payload.kind === 'image') continue;
    const s = await stamps.read(node.id);
    if (s) out.push({ task: key, signature: s.signature, ...(s.output && !OUTPUT_NAMES_HOST_PATHS.has(node.payload.kind) ? { output: s.output } : {}) });
  }
  return out;
}

export async function imageFacts(plan: ImagePlan, ctx: BuildContext): Promise<ImageFacts> {
  const closure = planBuild(ctx.cfg, plan.image.name).recipes;
  const downloads = ctx.cfg.project.downloads;
  return {
    image: plan.image.name,
    machine: ctx.cfg.machine.name,
    distro: ctx.cfg.distro.name,
    sourceDateEpoch: ctx.layout.epoch,
    layers: (await Promise.all(ctx.cfg.catalog.layers.map(layerRecord))).sort(byName),
    recipes: closure.map((r) => recipeFact(r, ctx, downloads)).sort(byName),
    packages: packageFacts(plan, ctx).sort(byName),
    tasks: await taskFacts(ctx, plan.image.name),
    hostTools: await hostToolVersions(ctx.cfg.imageData(plan.image).getOr('TARGET_PREFIX', '')),
  };
}

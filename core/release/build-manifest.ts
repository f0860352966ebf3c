import type { ImageFacts } from './image-facts.js';

// The build manifest (`<image>-<machine>.manifest.json`): what went into an
// image, as one deterministic JSON file that can be signed (docs/releases.md
// lists every field). Two builds of the same project give the same bytes
// wherever they run, so a rebuild's manifest verifies with the original's
// signatures: no paths of the build folder, no times but SOURCE_DATE_EPOCH,
// arrays sorted by name, URLs with their credentials redacted.

export const MANIFEST_VERSION = 1;

export interface Artifact {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

export function buildManifest(f: ImageFacts, artifacts: readonly Artifact[]): object {
  const licenseOf = new Map(f.recipes.map((r) => [r.name, r.license]));
  return {
    manifestVersion: MANIFEST_VERSION,
    image: f.image,
    machine: f.machine,
    distro: f.distro,
    sourceDateEpoch: f.sourceDateEpoch,
    artifacts,
    layers: f.layers,
    hostTools: f.hostTools,
    recipes: f.recipes.map((r) => ({ name: r.name, version: r.version, license: r.license, layer: r.layer, file: r.file })),
    sources: f.recipes.flatMap((r) =>
      r.sources.map((s) => ({
        recipe: s.recipe,
        kind: s.kind,
        name: s.name,
        url: s.url,
        sha256: s.sha256,
        ...(s.commit ? { commit: s.commit } : {}),
        patch: s.patch,
        license: licenseOf.get(s.recipe),
      })),
    ),
    packages: f.packages.map((p) => ({ name: p.name, recipe: p.recipe, version: p.version, license: p.license, files: p.files.length })),
    tasks: f.tasks,
  };
}

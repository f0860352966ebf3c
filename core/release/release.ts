import { copyFileSync, existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectFileText, type Project } from '../config/project.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { DownloadDir } from '../fetch/store/download-dir.js';
import { createMirror } from '../fetch/mirror/create.js';
import type { Layer } from '../metadata/layer.js';
import type { Recipe } from '../resolve/recipe.js';
import { ORIGIN_FILE, layerFiles, layerRecord } from './layer-record.js';
import { formatPublicKey, type SecretKey } from './minisign.js';
import { signFile } from './sign-file.js';

// `strata release`: one folder that is itself a Strata project and rebuilds
// the image with nothing else (docs/releases.md):
//
//   strata.yaml             the project file, pointing at what is inside
//   strata.original.yaml    the project file as it was written
//   layers/<name>/          every layer at its exact content (+ ORIGIN_FILE: its git commit)
//   mirror/                 every source of the image's closure (`strata mirror create`)
//   <image>-<machine>.manifest.json   the build manifest  (+ .minisig, minisign.pub with --key)
//   <image>.spdx.json                 the SBOM            (+ .minisig with --key)
//   README.md               the one command that rebuilds it

export interface ReleaseInput {
  readonly project: Project;
  readonly layers: readonly Layer[];
  readonly recipes: readonly Recipe[];
  readonly downloads: DownloadDir;
  readonly image: string;
  readonly machine: string;
  /** The deploy folder of the build the release records. */
  readonly deployDir: string;
  readonly key?: SecretKey;
}

function copyLayer(from: string, to: string): void {
  for (const rel of layerFiles(from)) {
    const src = join(from, rel);
    const dest = join(to, rel);
    mkdirSync(dirname(dest), { recursive: true });
    if (lstatSync(src).isSymbolicLink()) symlinkSync(readlinkSync(src), dest);
    else copyFileSync(src, dest);
  }
}

function readme(r: ReleaseInput, manifest: string, spdx: string, signed: boolean): string {
  return `# Release of ${r.image} for ${r.machine}

This folder is a self-contained Strata project: layers, project file and
the source mirror of everything the image is built from. Rebuild it, with
no network and no cache, from this folder:

    strata build ${r.image} --offline --project .

The rebuilt image lands in build/deploy/images/${r.machine}/ and must be
bit-identical to the one this release recorded: its build manifest
(${manifest}) lists every source with its sha256, every task's signature
and output hash, the layers' content and git commits, and the sha256 of
every image file.
${
  signed
    ? `
Check that the rebuild is the image that was signed (with your own folder
of trusted public keys; minisign.pub here is the release signer's):

    strata verify build/deploy/images/${r.machine}/${manifest} --keys TRUSTED-KEYS --signatures . --threshold 1
    minisign -V -p minisign.pub -m ${manifest}
`
    : ''
}
The SBOM is ${spdx} (SPDX 2.3). \`strata mirror verify mirror\` re-checks
every source in the mirror.
`;
}

export async function makeRelease(r: ReleaseInput, dir: string): Promise<string[]> {
  const base = `${r.image}-${r.machine}`;
  const manifest = `${base}.manifest.json`;
  const spdx = `${r.image}.spdx.json`;
  for (const f of [`${base}.manifest.json`, `${base}.spdx.json`]) {
    if (!existsSync(join(r.deployDir, f)))
      throw new UserError(diag('release-unbuilt', `${join(r.deployDir, f)} is missing`, undefined, { hint: `build the image first: strata build ${r.image}` }));
  }
  mkdirSync(dir, { recursive: true });
  const names = new Map<string, string>();
  for (const l of r.layers) {
    const to = join(dir, 'layers', l.name);
    copyLayer(l.dir, to);
    const { git } = await layerRecord(l);
    if (git) writeFileSync(join(to, ORIGIN_FILE), JSON.stringify({ git }, null, 1) + '\n');
    names.set(l.dir, `layers/${l.name}`);
  }
  await createMirror(join(dir, 'mirror'), r.recipes, r.downloads);
  const settings = {
    layers: r.project.layers.map((p) => names.get(p) ?? p),
    machine: r.machine,
    distro: r.project.distro,
    mirrors: ['mirror'],
    downloads: 'downloads',
    offline: true,
    cache: false,
  };
  writeFileSync(
    join(dir, 'strata.yaml'),
    projectFileText(
      r.project,
      settings,
      ['remote-cache', 'build', 'premirrors', 'allowed-hosts'],
      `Release of ${r.image} for ${r.machine}: everything it needs is in this folder`,
    ),
  );
  if (r.project.file) copyFileSync(r.project.file, join(dir, 'strata.original.yaml'));
  copyFileSync(join(r.deployDir, `${base}.manifest.json`), join(dir, manifest));
  copyFileSync(join(r.deployDir, `${base}.spdx.json`), join(dir, spdx));
  const written = [join(dir, manifest), join(dir, spdx)];
  if (r.key) {
    written.push(...(await signFile(join(dir, manifest), r.key)), ...(await signFile(join(dir, spdx), r.key)));
    writeFileSync(join(dir, 'minisign.pub'), formatPublicKey(r.key));
    written.push(join(dir, 'minisign.pub'));
  }
  writeFileSync(join(dir, 'README.md'), readme(r, manifest, spdx, r.key !== undefined));
  return written;
}

import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decompressed } from '../archive/decompress.js';
import { tarEntries } from '../archive/tar-reader.js';
import type { ImagePlan } from '../graph/plan.js';
import type { Recipe } from '../resolve/recipe.js';
import type { Configuration } from '../resolve/configuration.js';
import { recipeFact, type RecipeFact } from './image-facts.js';

// `strata archive-sources`: what GPL compliance asks a firmware vendor to
// hand over with an image, the way Yocto's archiver and Buildroot's
// legal-info do: for every recipe of the image's build closure its sources
// and patches exactly as the build used them (checked by sha256), its recipe
// file, the appends that changed it and the classes it inherits (the
// "scripts used to control compilation"), the licence texts found in its sources, and a licence
// manifest listing what ships under which licence.
//
//   <dir>/sources/<recipe>-<version>/   sources, patches, recipe, appends, classes (class-<name>.yaml)
//   <dir>/licenses/<recipe>/            licence files found in the sources
//   <dir>/license-manifest.txt          Yocto's license.manifest layout
//   <dir>/license-manifest.json         the same, and every file's sha256

/** Licence files by name, at the top of a source tree or one folder down (busybox-1.35.0/LICENSE). */
const LICENSE_FILE = /^(COPYING|LICEN[CS]E|NOTICE|COPYRIGHT)([._-][A-Za-z0-9._-]*)?$/i;

async function licenseFilesInArchive(path: string, name: string): Promise<{ path: string; data: Buffer }[]> {
  if (!/\.(tar(\.(gz|bz2|xz|zst))?|tgz|tbz2|txz)$/.test(name)) return [];
  const wanted = (p: string) => p.split('/').filter(Boolean).length <= 2 && LICENSE_FILE.test(basename(p));
  const out: { path: string; data: Buffer }[] = [];
  for await (const e of tarEntries(decompressed(path, name), (e) => e.type === 'file' && wanted(e.path))) if (e.data) out.push({ path: e.path, data: e.data });
  return out;
}

export interface ArchivedRecipe extends RecipeFact {
  readonly packages: readonly string[];
  readonly licenseFiles: readonly string[];
}

export async function archiveSources(cfg: Configuration, plan: ImagePlan, recipes: readonly Recipe[], dir: string): Promise<ArchivedRecipe[]> {
  const downloads = cfg.project.downloads;
  const shipped = new Map<string, string[]>();
  for (const p of plan.packages) shipped.set(p.recipe.name, [...(shipped.get(p.recipe.name) ?? []), p.name]);
  const out: ArchivedRecipe[] = [];
  for (const r of [...recipes].sort((a, b) => a.name.localeCompare(b.name))) {
    const fact = recipeFact(r, { cfg }, downloads);
    const folder = join(dir, 'sources', `${r.name}-${r.version}`);
    mkdirSync(folder, { recursive: true });
    const licenseFiles: string[] = [];
    for (const s of fact.sources) {
      const dest = join(folder, s.kind === 'local' ? basename(s.name) : s.name);
      copyFileSync(s.hostPath, dest);
      for (const l of await licenseFilesInArchive(s.hostPath, s.name)) {
        const to = join(dir, 'licenses', r.name, l.path.replace(/^\/+/, ''));
        mkdirSync(dirname(to), { recursive: true });
        writeFileSync(to, l.data);
        licenseFiles.push(`licenses/${r.name}/${l.path.replace(/^\/+/, '')}`);
      }
      if (s.kind === 'local' && LICENSE_FILE.test(basename(s.name))) {
        const to = join(dir, 'licenses', r.name, basename(s.name));
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(s.hostPath, to);
        licenseFiles.push(`licenses/${r.name}/${basename(s.name)}`);
      }
    }
    for (const f of [r.file, ...r.appends.map((a) => a.file)]) if (existsSync(f)) copyFileSync(f, join(folder, basename(f)));
    // Classes are build instructions too; the recipe inherits them by name.
    for (const c of r.classes) if (existsSync(c.file)) copyFileSync(c.file, join(folder, `class-${basename(c.file)}`));
    out.push({ ...fact, packages: (shipped.get(r.name) ?? []).sort(), licenseFiles: licenseFiles.sort() });
  }
  writeFileSync(join(dir, 'license-manifest.txt'), licenseManifestText(plan));
  writeFileSync(
    join(dir, 'license-manifest.json'),
    JSON.stringify(
      {
        image: plan.image.name,
        machine: cfg.machine.name,
        recipes: out.map(({ sources, ...rest }) => ({ ...rest, sources: sources.map(({ hostPath: _h, ...s }) => s) })),
      },
      null,
      1,
    ) + '\n',
  );
  return out;
}

/** One block per installed package, as Yocto's license.manifest has it. */
export function licenseManifestText(plan: ImagePlan): string {
  const block = (name: string, r: Recipe, note = '') =>
    [`PACKAGE NAME: ${name}${note}`, `PACKAGE VERSION: ${r.version}`, `RECIPE NAME: ${r.name}`, `LICENSE: ${r.data.getOr('LICENSE', 'NOASSERTION')}`, ''].join(
      '\n',
    );
  // The kernel ships beside the image (deployed, booted with it) rather than in it.
  return [...plan.packages.map((p) => block(p.name, p.recipe)), block(plan.kernel.name, plan.kernel, ' (kernel, deployed beside the image)')].join('\n');
}

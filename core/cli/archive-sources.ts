import { archiveSources } from '../release/archive-sources.js';
import { writeFolderTarGz } from '../release/folder-tarball.js';
import { emptyOutputDir, imagePlanOf } from './image-output.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata archive-sources <image> <dir> [--tarball] [--machine M] [--offline] [--project DIR]';

// Every source, patch, recipe and licence text of an image's closure in one
// folder (and, with --tarball, <dir>.tar.gz), with a licence manifest:
// what a vendor hands over for GPL compliance (docs/releases.md).

export async function archiveSourcesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, tarball: { type: 'boolean' } }, USAGE);
  if (values.help || positionals.length !== 2) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [image, out] = positionals;
  const dir = emptyOutputDir(out, 'archive-exists', 'give a new or empty folder');
  const session = sessionFrom(values);
  const cfg = session.cfg;
  const plan = imagePlanOf(session, image, 'archive-not-image');
  await (await session.services()).fetch(plan);
  const recipes = await archiveSources(cfg, plan.image, plan.recipes, dir);
  const sources = recipes.reduce((n, r) => n + r.sources.length, 0);
  const licences = recipes.reduce((n, r) => n + r.licenseFiles.length, 0);
  process.stdout.write(`${dir}: ${sources} sources and patches of ${recipes.length} recipes, ${licences} licence files, license-manifest.txt\n`);
  const noText = recipes.filter((r) => r.packages.length && !r.licenseFiles.length).map((r) => r.name);
  if (noText.length)
    process.stdout.write(`note: no licence file found in the sources of ${noText.join(', ')}; add the licence text by hand if the licence asks for it\n`);
  if (values.tarball) {
    await writeFolderTarGz(dir, image + '-sources', `${dir}.tar.gz`, session.layout.epoch);
    process.stdout.write(`${dir}.tar.gz\n`);
  }
  return 0;
}

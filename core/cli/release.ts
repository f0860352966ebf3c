import { resolve } from 'node:path';
import { makeRelease } from '../release/release.js';
import { readSecretKey } from '../release/sign-file.js';
import { buildTarget } from './build.js';
import { emptyOutputDir, imagePlanOf } from './image-output.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata release <image> <dir> [--key SECRET-KEY] [--machine M] [--offline] [--project DIR]';

// Builds the image (or finds it up to date), then writes a release folder
// that rebuilds it offline, bit for bit (core/release/release.ts).

export async function releaseCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, key: { type: 'string' } }, USAGE);
  if (values.help || positionals.length !== 2) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [image, out] = positionals;
  const dir = emptyOutputDir(out, 'release-exists', 'a release goes into a new or empty folder');
  const key = values.key ? readSecretKey(resolve(values.key)) : undefined;
  const session = sessionFrom(values);
  const { project, cfg, layout } = session;
  const plan = imagePlanOf(session, image, 'release-not-image');
  // The build the user would run, in the same session: same options, so the same stamps.
  const built = await buildTarget(session, plan, image);
  if (built !== 0) return built;
  const { fetcher } = await session.services();
  const written = await makeRelease(
    { project, layers: cfg.catalog.layers, recipes: plan.recipes, downloads: fetcher.dir, image, machine: layout.machine, deployDir: layout.imagesDir, key },
    dir,
  );
  process.stdout.write(
    `release of ${image} in ${dir}:\n${written.map((w) => `  ${w}`).join('\n')}\nrebuild it with: strata build ${image} --offline --project ${out}\n`,
  );
  return 0;
}

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Configuration } from '../resolve/configuration.js';
import { COMMON_OPTIONS, parse, projectFrom } from './options.js';
import { lockBuildFolder } from '../build/build-lock.js';

export const USAGE = 'strata clean <recipe|image>… [--machine M] [--project DIR]';

// Forgets what a recipe (or image) built for this machine: its stamps first,
// so a clean interrupted halfway never leaves a stamp for a work folder that
// is gone, then its work folder. Downloads and the shared cache stay.

export async function cleanCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  if (values.help || positionals.length === 0) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const cfg = new Configuration(projectFrom(values));
  const build = cfg.project.buildDir;
  const images = cfg.catalog.listConfigs('images');
  const lock = await lockBuildFolder(build, (text) => process.stderr.write(`${text}\n`));
  try {
    await cleanLocked(cfg, positionals, images);
  } finally {
    await lock.release();
  }
  return 0;
}

async function cleanLocked(cfg: Configuration, positionals: string[], images: string[]): Promise<void> {
  const build = cfg.project.buildDir;
  for (const name of positionals) {
    const isImage = images.includes(name) && !cfg.catalog.recipes.has(name);
    const workdir = isImage ? join(build, 'work', cfg.machine.name, `${name}-image`) : cfg.provider(name, 'the command line').data.get('WORKDIR');
    const recipeName = isImage ? name : cfg.provider(name, 'the command line').name;
    const stamps = join(build, 'stamps', cfg.machine.name, recipeName);
    const removed = [stamps, workdir].filter((p) => existsSync(p));
    await rm(stamps, { recursive: true, force: true });
    await rm(workdir, { recursive: true, force: true });
    const shown = removed.map((p) => relative(process.cwd(), p) || p);
    process.stdout.write(removed.length ? `${recipeName}: removed ${shown.join(' and ')}\n` : `${recipeName}: nothing to clean\n`);
  }
}

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Session } from '../session/session.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

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
  const session = sessionFrom(values);
  const lock = await session.lock();
  try {
    await cleanLocked(session, positionals);
  } finally {
    await lock.release();
  }
  return 0;
}

async function cleanLocked(session: Session, positionals: string[]): Promise<void> {
  const { cfg, layout } = session;
  for (const name of positionals) {
    const recipe = session.isImage(name) ? undefined : cfg.provider(name, 'the command line');
    const workdir = recipe ? recipe.data.get('WORKDIR') : layout.imageWorkdir(name);
    const recipeName = recipe?.name ?? name;
    const stamps = layout.recipeStampsDir(recipeName);
    const removed = [stamps, workdir].filter((p) => existsSync(p));
    await rm(stamps, { recursive: true, force: true });
    await rm(workdir, { recursive: true, force: true });
    const shown = removed.map((p) => relative(process.cwd(), p) || p);
    process.stdout.write(removed.length ? `${recipeName}: removed ${shown.join(' and ')}\n` : `${recipeName}: nothing to clean\n`);
  }
}

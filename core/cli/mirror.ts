import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { createMirror } from '../fetch/mirror/create.js';
import { importIntoMirror } from '../fetch/mirror/import.js';
import { readMirrorIndex, writeMirrorIndex } from '../fetch/mirror/mirror-index.js';
import { verifyMirror } from '../fetch/mirror/verify.js';
import { planBuild } from '../graph/plan.js';
import type { Recipe } from '../resolve/recipe.js';
import { Configuration } from '../resolve/configuration.js';
import { plugins } from './container.js';
import { fetchPhase, sourceFetcher } from '../fetch/phase.js';
import { COMMON_OPTIONS, parse, projectFrom } from './options.js';

export const USAGE = [
  'strata mirror create <folder> <image|recipe>… [--offline] [--machine M] [--project DIR]',
  'strata mirror verify <folder>',
  'strata mirror import <folder> <file>…',
].join('\n       ');

// Source mirrors for rebuilding years later (docs/mirrors.md):
//  - create: fetch every source of the targets' closure and copy them into a
//    self-contained folder with an index (sha256, size, origin, licence);
//  - verify: re-hash everything, report missing, corrupt and extra files;
//  - import: file loose files by checksum.

export async function mirrorCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  const [sub, folder, ...rest] = positionals;
  if (values.help || !sub || !folder) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const mirror = resolve(folder);
  if (sub === 'import') {
    if (!rest.length) throw new UserError(diag('usage', 'mirror import needs files to import', undefined, { hint: USAGE }));
    const missing = rest.filter((f) => !existsSync(f));
    if (missing.length) throw new UserError(missing.map((f) => diag('mirror-import-missing', `cannot import ${f}: no such file`)));
    const entries = new Map((await readMirrorIndex(mirror))?.files.map((e) => [e.path, e]) ?? []);
    for (const f of rest) {
      const { sha256, path } = await importIntoMirror(mirror, resolve(f));
      const rel = `sha256/${sha256}`;
      // Listed so `mirror verify` checks it; origin and licence are what we know.
      if (!entries.has(rel)) entries.set(rel, { path: rel, name: basename(f), sha256, size: statSync(path).size, url: `file://${resolve(f)}`, license: 'unknown', recipes: [] });
      process.stdout.write(`${f} -> ${path} (sha256 ${sha256})\n`);
    }
    await writeMirrorIndex(mirror, [...entries.values()]);
    return 0;
  }
  if (sub === 'create') {
    if (!rest.length) throw new UserError(diag('usage', 'mirror create needs at least one image or recipe', undefined, { hint: USAGE }));
    const project = projectFrom(values);
    const cfg = new Configuration(project);
    const recipes = new Map<string, Recipe>();
    const fetcher = sourceFetcher(project, plugins().fetchers);
    for (const target of rest) {
      const plan = planBuild(cfg, target);
      await fetchPhase(plan, fetcher);
      for (const r of plan.recipes) recipes.set(r.name, r);
    }
    const files = await createMirror(mirror, [...recipes.values()], fetcher.dir);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    process.stdout.write(`${mirror}: ${files.length} files (${(bytes / 1048576).toFixed(1)} MiB) for ${rest.join(', ')}, listed in index.json; check it any time with \`strata mirror verify ${folder}\`\n`);
    return 0;
  }
  if (sub === 'verify') {
    const { checked, problems } = await verifyMirror(mirror);
    for (const p of problems) process.stderr.write(`${p.kind.padEnd(8)} ${p.path}${p.detail ? `: ${p.detail}` : ''}\n`);
    const counts = (['missing', 'corrupt', 'extra'] as const).map((k) => `${problems.filter((p) => p.kind === k).length} ${k}`).join(', ');
    process.stdout.write(`${mirror}: ${checked} files checked; ${counts}${problems.some((p) => p.kind === 'no-index') ? '; no index' : ''}\n`);
    return problems.length ? 1 : 0;
  }
  throw new UserError(diag('usage', `unknown mirror command '${sub}'`, undefined, { hint: USAGE }));
}

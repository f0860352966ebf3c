import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { diag, UserError } from '../../diagnostics/diagnostic.js';
import type { Configuration } from '../../resolve/configuration.js';
import { planBuild } from '../../graph/plan.js';
import type { Recipe } from '../../resolve/recipe.js';
import type { SourceFetcher, FetchEvent } from '../orchestrator.js';
import { fetchPhase } from '../phase.js';
import { createMirror } from './create.js';
import { importIntoMirror } from './import.js';
import { readMirrorIndex, writeMirrorIndex, type MirrorEntry } from './mirror-index.js';

// What `strata mirror create|import` do, as functions returning records;
// core/cli/mirror.ts parses options and prints them (docs/mirrors.md).
// `mirror verify` is verify.ts.

/** Fetches every source of the targets' closure, then copies them into `folder` with an index. */
export async function mirrorCreate(
  folder: string,
  targets: readonly string[],
  cfg: Configuration,
  fetcher: SourceFetcher,
  onEvent?: (e: FetchEvent) => void,
): Promise<MirrorEntry[]> {
  const recipes = new Map<string, Recipe>();
  for (const target of targets) {
    const plan = planBuild(cfg, target);
    await fetchPhase(plan, fetcher, onEvent);
    for (const r of plan.recipes) recipes.set(r.name, r);
  }
  return createMirror(folder, [...recipes.values()], fetcher.dir);
}

export interface Imported {
  readonly file: string;
  readonly path: string;
  readonly sha256: string;
}

/** Files loose files under `sha256/<hex>` and lists them in the index, so `mirror verify` checks them. */
export async function mirrorImport(folder: string, files: readonly string[]): Promise<Imported[]> {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new UserError(missing.map((f) => diag('mirror-import-missing', `cannot import ${f}: no such file`)));
  const entries = new Map((await readMirrorIndex(folder))?.files.map((e) => [e.path, e]) ?? []);
  const done: Imported[] = [];
  for (const f of files) {
    const { sha256, path } = await importIntoMirror(folder, resolve(f));
    const rel = `sha256/${sha256}`;
    // Origin and licence are what we know.
    if (!entries.has(rel)) entries.set(rel, { path: rel, name: basename(f), sha256, size: statSync(path).size, url: `file://${resolve(f)}`, license: 'unknown', recipes: [] });
    done.push({ file: f, path, sha256 });
  }
  await writeMirrorIndex(folder, [...entries.values()]);
  return done;
}

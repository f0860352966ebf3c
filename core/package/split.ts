import { cp, mkdir, rm, writeFile, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PackageSpec } from '../metadata/body.js';
import { globToRegExp } from './glob.js';
import { walkTree, type TreeEntry } from './walk.js';

// Splits what a recipe installed into its packages: each file goes to the
// first package (in the recipe's order) with a matching pattern. A file no
// package takes is an error, as in Yocto's "installed but not shipped" check:
// silently dropping files hides mistakes.

export interface PackageContent {
  readonly name: string;
  readonly entries: readonly Omit<TreeEntry, 'host'>[];
}

export function assignFiles(tree: readonly TreeEntry[], specs: readonly PackageSpec[]): { packages: Map<string, TreeEntry[]>; unshipped: string[] } {
  const matchers = specs.map((s) => ({ name: s.name, res: s.patterns.map(globToRegExp) }));
  const packages = new Map<string, TreeEntry[]>(specs.map((s) => [s.name, []]));
  const unshipped: string[] = [];
  const byPath = new Map(tree.map((e) => [e.path, e]));
  for (const e of tree) {
    if (e.type === 'dir') continue;
    const owner = matchers.find((m) => m.res.some((re) => re.test(e.path)));
    if (!owner) {
      unshipped.push(e.path);
      continue;
    }
    const list = packages.get(owner.name)!;
    // Parent folders travel with the file, keeping their installed modes.
    for (let p = dirname(e.path); p !== '/' && p !== '.'; p = dirname(p)) {
      if (!list.some((x) => x.path === p)) list.push(byPath.get(p)!);
    }
    list.push(e);
  }
  for (const [name, list] of packages) packages.set(name, list.sort((a, b) => (a.path < b.path ? -1 : 1)));
  return { packages, unshipped };
}

/** Writes `<out>/<pkg>/…` trees and `<out>/<pkg>.json` listings, atomically per run. */
export async function writePackages(packages: Map<string, TreeEntry[]>, out: string): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const [name, entries] of packages) {
    const root = join(tmp, name);
    await mkdir(root, { recursive: true });
    for (const e of entries) {
      const dest = join(root, e.path);
      if (e.type === 'dir') await mkdir(dest, { recursive: true });
      else {
        await mkdir(dirname(dest), { recursive: true });
        await cp(e.host, dest, { verbatimSymlinks: true, preserveTimestamps: true });
      }
    }
    const listing: PackageContent = { name, entries: entries.map(({ host: _host, ...rest }) => rest) };
    await writeFile(join(tmp, `${name}.json`), JSON.stringify(listing, null, 1) + '\n');
  }
  if (existsSync(out)) await rm(out, { recursive: true, force: true });
  await rename(tmp, out);
}

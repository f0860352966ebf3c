import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployFile, replaceDir } from '../../deploy/deploy.js';
import { dynamicPatterns, packageIndex, sysrootRecipes } from '../../graph/plan.js';
import type { ExternalPackages, RecipePackaging } from '../../package/make-packages.js';
import { ipkName, type PackageData } from '../../package/pkgdata.js';
import type { Configuration } from '../../resolve/configuration.js';
import type { Recipe } from '../../resolve/recipe.js';
import { TaskFailed, type BuildContext, type TaskImplementation } from '../context.js';

// The package task: splits ${D} into packages, writes each as an .ipk with
// its package data (`<WORKDIR>/packages/<name>.json`), and deploys the .ipk
// files to the feed (`build/deploy/ipk/<arch>/`) with a fresh index. It runs
// after the package tasks of the recipes it builds against, whose package
// data says which package provides each shared library. The packaging
// code (ELF reading, archives) is loaded when the task runs, not by a build
// that finds it up to date.

const recipeOf = (p: unknown): Recipe => (p as { recipe: Recipe }).recipe;

/** Where a recipe's packages and their data live: `<WORKDIR>/packages/`. */
export const packagesDir = (r: Recipe): string => join(r.data.get('WORKDIR'), 'packages');

export const packageArch = (r: Recipe): string => r.data.getOr('PACKAGE_ARCH', r.data.get('TARGET_ARCH'));

export const pkgdataPath = (r: Recipe, pkg: string): string => join(packagesDir(r), `${pkg}.json`);

/** The package data a recipe's package task wrote, or undefined before it ran. */
export function readPackageData(r: Recipe, pkg: string): PackageData | undefined {
  const p = pkgdataPath(r, pkg);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as PackageData) : undefined;
}

/** The package data of every package a recipe's package task made, fixed and dynamic (none before it ran). */
export function builtPackages(r: Recipe): PackageData[] {
  const dir = packagesDir(r);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as PackageData);
}

function packaging(r: Recipe, cfg?: Configuration): RecipePackaging {
  const checkNames = cfg && (r.rdepends.size > 0 || r.dynamicPackages.some((d) => d.rdepends.length > 0));
  const index = checkNames ? packageIndex(cfg) : undefined;
  return {
    recipe: r.name,
    version: r.version,
    arch: packageArch(r),
    license: r.data.getOr('LICENSE', 'CLOSED'),
    summary: r.data.getOr('SUMMARY', r.name),
    homepage: r.data.has('HOMEPAGE') ? r.data.get('HOMEPAGE') : undefined,
    maintainer: r.data.getOr('MAINTAINER', 'Unknown <unknown@example.invalid>'),
    file: r.file,
    specs: r.packages,
    dynamic: r.dynamicPackages,
    rdepends: r.rdepends,
    rdependsAt: r.rdependsAt,
    knownPackages: index ? new Set(index.keys()) : undefined,
    knownPatterns: cfg && index ? dynamicPatterns(cfg) : undefined,
    conffiles: r.conffiles,
    declarations: r.declarations,
  };
}

function external(cfg: Configuration, r: Recipe): ExternalPackages {
  const providers: ExternalPackages['providers'][number][] = [];
  const users = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const dep of sysrootRecipes(cfg, r)) {
    for (const d of builtPackages(dep)) {
      providers.push({ name: d.name, paths: d.files.filter((f) => f.type !== 'dir').map((f) => f.path), sonames: d.sonames });
      for (const u of d.users) users.set(u.name, u.uid);
      for (const g of d.groups) groups.set(g.name, g.gid);
    }
  }
  return { providers, users, groups };
}

/** The .ipk files of the fixed packages (known before the task runs; dynamic ones are deployed from packages/ with them). */
const ipkDeployPaths = (r: Recipe, ctx: BuildContext): string[] => {
  const feed = ctx.layout.feedDir(packageArch(r));
  return r.packages.map((p) => join(feed, ipkName(p.name, r.version, packageArch(r))));
};

export const packageTask: TaskImplementation = {
  inputs: (node, ctx) => {
    const p = packaging(recipeOf(node.payload));
    const strip = <T extends { loc?: unknown }>(l: readonly T[]) => l.map(({ loc: _loc, ...rest }) => rest);
    const d = p.declarations;
    return JSON.stringify({
      format: 'ipk-1',
      epoch: ctx.layout.epoch,
      fields: [p.version, p.arch, p.license, p.summary, p.homepage, p.maintainer],
      specs: p.specs.map((s) => [s.name, s.patterns]),
      rdepends: [...p.rdepends],
      conffiles: [...p.conffiles],
      declarations: [strip(d.users), strip(d.groups), strip(d.devices), strip(d.permissions)],
      // Only when there are any, so the signatures of recipes without them stay as they were.
      ...(p.dynamic?.length ? { dynamic: p.dynamic.map((x) => [x.pattern, x.files, x.rdepends, x.rdependsFrom ?? null]) } : {}),
    });
  },
  outputs: (node, ctx) => [packagesDir(recipeOf(node.payload)), ...ipkDeployPaths(recipeOf(node.payload), ctx)],
  // The .ipk files are back in the feed; its index must list them (a build
  // restored from the cache alone left an index without them, or none).
  // Dynamic packages' .ipk files are not outputs of their own (their names
  // are known only after the task ran): they come back with packages/.
  afterRestore: async (node, ctx) => {
    const r = recipeOf(node.payload);
    const feed = ctx.layout.feedDir(packageArch(r));
    const fixed = new Set(r.packages.map((p) => p.name));
    const { writeFeedIndex } = await import('../../package/feed.js');
    for (const p of builtPackages(r)) if (!fixed.has(p.name)) await deployFile(join(packagesDir(r), p.ipk.file), feed, p.ipk.file);
    await writeFeedIndex(feed);
  },
  async run(t) {
    const r = recipeOf(t.node.payload);
    const D = r.data.get('D');
    await mkdir(D, { recursive: true });
    const [{ makePackages }, { walkTree }, { writeFeedIndex }] = await Promise.all([
      import('../../package/make-packages.js'),
      import('../../package/walk.js'),
      import('../../package/feed.js'),
    ]);
    const result = makePackages(packaging(r, t.ctx.cfg), walkTree(D), external(t.ctx.cfg, r), t.ctx.layout.epoch);
    if (!result.ok) {
      if (result.diagnostics.length) throw TaskFailed.of(result.diagnostics);
      throw new TaskFailed(result.messages.map((m) => `${r.name}:package: ${m}`).join('\n'));
    }
    await replaceDir(packagesDir(r), async (tmp) => {
      for (const p of result.packages) {
        await writeFile(join(tmp, `${p.data.name}.json`), JSON.stringify(p.data, null, 1) + '\n');
        await writeFile(join(tmp, p.data.ipk.file), p.ipk);
      }
    });
    const feed = t.ctx.layout.feedDir(packageArch(r));
    const log: string[] = [];
    for (const p of result.packages) {
      await deployFile(join(packagesDir(r), p.data.ipk.file), feed, p.data.ipk.file);
      const files = p.data.files.filter((f) => f.type !== 'dir').length;
      log.push(`${p.data.ipk.file}: ${files} files${p.data.depends.length ? `, depends on ${p.data.depends.join(', ')}` : ''}${p.data.sonames.length ? `, provides ${p.data.sonames.join(', ')}` : ''}`);
    }
    await writeFeedIndex(feed);
    await writeFile(t.log, log.join('\n') + '\n');
  },
};

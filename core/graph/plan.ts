import type { Image } from '../config/image.js';
import { bootChainRecipes } from '../kernel/boot-chain.js';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { recipeId, taskId, taskName, type TaskId } from '../model/ids.js';
import type { Configuration } from '../resolve/configuration.js';
import type { Recipe } from '../resolve/recipe.js';
import { assertAcyclic, TaskGraph, upTo } from './task-graph.js';
import { closest } from '../diagnostics/spelling.js';
import { isImageTarget } from '../resolve/target.js';
import { initPackageGroup } from './init-group.js';
import type { DynamicPackageSpec } from '../metadata/body.js';
import { legitimizePackageName, matchesPackagePattern } from '../package/dynamic.js';

// Turns a target (an image or a recipe) into the task graph: the same chain
// of tasks for every recipe, sysroots fed by dependencies' installs, and an
// image fed by the packages of its whole run-time closure.

export const RECIPE_TASKS = ['fetch', 'unpack', 'patch', 'prepare_sysroot', 'configure', 'compile', 'install', 'package'] as const;
export const IMAGE_TASKS = ['rootfs', 'image'] as const;
export type RecipeTaskKind = (typeof RECIPE_TASKS)[number];
export type ImageTaskKind = (typeof IMAGE_TASKS)[number];

/** A package the rootfs installs by name (its run-time closure comes with it), who asks for it and where. */
export interface InstallRoot {
  readonly name: string;
  readonly by: string;
  readonly at: SourceLocation;
}

export interface ImagePlan {
  readonly image: Image;
  /** What the rootfs installs: the distro's init package group (core/graph/init-group.ts), then the image's `install:`. */
  readonly roots: readonly InstallRoot[];
  /** Packages to install, each with the recipe that makes it, sorted by name. */
  readonly packages: readonly { name: string; recipe: Recipe }[];
  readonly kernel: Recipe;
  /** The machine's boot chain other than the kernel (firmware, bootloader), in boot order. */
  readonly boot: readonly Recipe[];
}

export type TaskPayload = { readonly kind: RecipeTaskKind; readonly recipe: Recipe } | { readonly kind: ImageTaskKind; readonly plan: ImagePlan };

export interface BuildPlan {
  readonly graph: TaskGraph<TaskPayload>;
  readonly recipes: readonly Recipe[];
  readonly image?: ImagePlan;
}

const t = (recipe: string, task: string): TaskId => taskId(recipeId(recipe), taskName(task));

/** Where `from` names the dependency that resolves to `to` (its name or a virtual name `to` provides). */
function dependsLoc(cfg: Configuration, from: Recipe, to: Recipe): SourceLocation {
  const d = from.depends.find((n) => n === to.name || cfg.provider(n, from.name).name === to.name);
  return (d && from.dependsAt.get(d)) || { file: from.file, line: 0, column: 0 };
}

/** Every recipe needed to build `root`, through build-time `depends`. */
function buildClosure(cfg: Configuration, roots: readonly Recipe[], rootLabel?: string): Recipe[] {
  const seen = new Map<string, Recipe>();
  const path: Recipe[] = [];
  const visit = (r: Recipe) => {
    const at = path.findIndex((p) => p.name === r.name);
    if (at >= 0) {
      const cycle = [...path.slice(at), r];
      throw new UserError(
        diag('graph-cycle', `dependency cycle: ${cycle.map((c) => c.name).join(' -> ')}`, dependsLoc(cfg, cycle[0], cycle[1]), {
          related: cycle.slice(0, -1).map((c, i) => ({ message: `${c.name} depends on ${cycle[i + 1].name}`, location: dependsLoc(cfg, c, cycle[i + 1]) })),
          hint: 'remove one of these depends',
        }),
      );
    }
    if (seen.has(r.name)) return;
    path.push(r);
    const via = [...(rootLabel ? [rootLabel] : []), ...path.map((p) => p.name)];
    for (const d of r.depends) visit(cfg.provider(d, r.name, r.dependsAt.get(d), via));
    path.pop();
    seen.set(r.name, r);
  };
  roots.forEach(visit);
  return [...seen.values()];
}

/** The recipes whose `install` output makes up a recipe's sysroot: its depends, transitively. */
export function sysrootRecipes(cfg: Configuration, r: Recipe): Recipe[] {
  return buildClosure(
    cfg,
    r.depends.map((d) => cfg.provider(d, r.name, r.dependsAt.get(d))),
  ).sort((a, b) => a.name.localeCompare(b.name));
}

const allRecipes = (cfg: Configuration): Recipe[] => [...cfg.catalog.recipes.keys()].map((name) => cfg.recipe(name));

/** Package name → the recipe that makes it, over every recipe of the configuration. */
export function packageIndex(cfg: Configuration): Map<string, Recipe> {
  const index = new Map<string, Recipe>();
  for (const name of cfg.catalog.recipes.keys()) {
    const r = cfg.recipe(name);
    for (const p of r.packages) index.set(p.name, r);
  }
  return index;
}

/** What makes a package: a recipe, and the `packages-dynamic:` entry when the name is one of its patterns' (core/package/dynamic.ts). */
export interface PackageMaker {
  readonly recipe: Recipe;
  readonly dynamic?: DynamicPackageSpec;
}

/**
 * The recipe that makes `name`: the one naming it under `packages:`, else
 * one whose dynamic pattern can make it (whether it does is known after its
 * package task). When several recipes' patterns match (every kernel makes
 * kernel-module-%), a recipe that provides something (virtual/kernel) counts
 * only where the configuration chose it, as Yocto skips the kernels the
 * machine did not choose; two left is an error at `at`.
 */
export function packageMaker(cfg: Configuration, index: ReadonlyMap<string, Recipe>, name: string, at?: SourceLocation): PackageMaker | undefined {
  const chosen = (r: Recipe) =>
    r.provides.every((v) => {
      try {
        return cfg.provider(v, r.name).name === r.name;
      } catch {
        return false;
      }
    });
  const recipes = allRecipes(cfg);
  const fixed = index.get(name);
  if (fixed) {
    // Both kernels make linux-image and kernel-base: the chosen one's count.
    const all = recipes.filter((r) => r.packages.some((p) => p.name === name));
    return { recipe: all.length > 1 ? (all.find(chosen) ?? fixed) : fixed };
  }
  const makers: PackageMaker[] = [];
  for (const r of recipes) for (const d of r.dynamicPackages) if (matchesPackagePattern(d.pattern, name) && chosen(r)) makers.push({ recipe: r, dynamic: d });
  if (makers.length > 1)
    throw new UserError(
      diag(
        'package-ambiguous',
        `package '${name}' matches the dynamic packages of ${makers.map((m) => `${m.recipe.name} (${m.dynamic!.pattern})`).join(' and ')}`,
        at,
        {
          related: makers.map((m) => ({ message: `${m.recipe.name}'s pattern`, location: m.dynamic!.loc })),
          hint: 'choose one of them as the provider in the machine or distro file, or make the patterns disjoint',
        },
      ),
    );
  return makers[0];
}

/** Where the recipe of `pkg` lists `dep` as a run-time dependency: under `rdepends:`, or under the `packages-dynamic:` entry that makes `pkg`. */
export function rdependsAt(maker: PackageMaker, pkg: string, dep: string): SourceLocation | undefined {
  const fixed = maker.recipe.rdependsAt.get(`${pkg} ${dep}`);
  if (fixed) return fixed;
  const d = maker.dynamic;
  const i = d ? d.rdepends.indexOf(dep) : -1;
  return d && i >= 0 ? (d.rdependsAt[i] ?? d.loc) : undefined;
}

/** The dynamic package patterns of every recipe, for checks of names before anything is built. */
export const dynamicPatterns = (cfg: Configuration): string[] => [...new Set(allRecipes(cfg).flatMap((r) => r.dynamicPackages.map((d) => d.pattern)))];

export function planImage(cfg: Configuration, image: Image): ImagePlan {
  const index = packageIndex(cfg);
  const wanted = new Map<string, Recipe>();
  const visit = (pkg: string, by: string, at: SourceLocation) => {
    if (wanted.has(pkg)) return;
    const maker = packageMaker(cfg, index, pkg, at);
    if (!maker) {
      // `kernel-module-virtio_net` is made as `kernel-module-virtio-net`.
      const legal = legitimizePackageName(pkg);
      const near = legal !== pkg && packageMaker(cfg, index, legal) ? legal : closest(pkg, index.keys());
      const patterns = dynamicPatterns(cfg);
      throw new UserError(
        diag('package-unknown', `no recipe makes package '${pkg}' (needed by ${by})`, at, {
          hint: near
            ? `did you mean '${near}'?`
            : `packages known: ${[...index.keys()].sort().join(', ')}${patterns.length ? `; and names of the dynamic patterns ${patterns.join(', ')}` : ''}`,
        }),
      );
    }
    const r = maker.recipe;
    wanted.set(pkg, r);
    for (const dep of [...(r.rdepends.get(pkg) ?? []), ...(maker.dynamic?.rdepends ?? [])])
      visit(dep, pkg, rdependsAt(maker, pkg, dep) ?? { file: r.file, line: 0, column: 0 });
  };
  const init = initPackageGroup(cfg.distro, index);
  const roots: InstallRoot[] = [
    ...(init ? [init] : []),
    ...image.install.map((name) => ({ name, by: `image ${image.name}`, at: image.installAt?.get(name) ?? image.loc })),
  ];
  for (const root of roots) visit(root.name, root.by, root.at);
  const packages = [...wanted].map(([name, recipe]) => ({ name, recipe })).sort((a, b) => a.name.localeCompare(b.name));
  const kernel = cfg.provider('virtual/kernel', `image ${image.name}`, image.loc);
  return { image, roots, packages, kernel, boot: bootChainRecipes(cfg).filter((r) => r !== kernel) };
}

/** The part of a plan that ends at one task (`strata menuconfig` runs up to `<recipe>:configure`): that task is its only target. */
export function planUpTo(plan: BuildPlan, key: string): BuildPlan {
  const graph = upTo(plan.graph, key);
  const names = new Set<string>([...graph.nodes.values()].map((n) => n.id.recipe));
  return { graph, recipes: plan.recipes.filter((r) => names.has(r.name)) };
}

export function planBuild(cfg: Configuration, target: string): BuildPlan {
  const graph = new TaskGraph<TaskPayload>();
  let image: ImagePlan | undefined;
  let roots: Recipe[];
  if (isImageTarget(cfg.catalog, target)) {
    image = planImage(cfg, cfg.image(target));
    roots = [...new Set([...image.packages.map((p) => p.recipe), image.kernel, ...image.boot])];
  } else {
    // The boot chain is checked against the machine for every target, before anything is fetched.
    bootChainRecipes(cfg, { present: true });
    roots = [cfg.provider(target, 'the command line')];
  }
  const recipes = buildClosure(cfg, roots, image ? `image ${image.image.name}` : undefined).sort((a, b) => a.name.localeCompare(b.name));
  for (const r of recipes) {
    RECIPE_TASKS.forEach((kind, i) => {
      const deps: TaskId[] = i > 0 ? [t(r.name, RECIPE_TASKS[i - 1])] : [];
      if (kind === 'prepare_sysroot') for (const d of sysrootRecipes(cfg, r)) deps.push(t(d.name, 'install'));
      // Shared libraries are resolved against the packages of what a recipe builds against.
      if (kind === 'package') for (const d of sysrootRecipes(cfg, r)) deps.push(t(d.name, 'package'));
      graph.add(t(r.name, kind), deps, { kind, recipe: r });
    });
  }
  if (image) {
    const name = image.image.name;
    // Every recipe the packages build against may provide a shared library
    // they install (found when they are packaged), so the rootfs waits for
    // the package tasks of that whole closure, and its signature covers them.
    const rootfsDeps = buildClosure(cfg, [...new Set(image.packages.map((p) => p.recipe))])
      .map((r) => r.name)
      .sort()
      .map((r) => t(r, 'package'));
    graph.add(t(name, 'rootfs'), rootfsDeps, { kind: 'rootfs', plan: image });
    graph.add(t(name, 'image'), [t(name, 'rootfs'), t(image.kernel.name, 'install'), ...image.boot.map((r) => t(r.name, 'install'))], {
      kind: 'image',
      plan: image,
    });
  }
  assertAcyclic(graph);
  return { graph, recipes, image };
}

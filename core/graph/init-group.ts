import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { closest } from '../diagnostics/spelling.js';
import type { Distro } from '../config/distro.js';
import type { Recipe } from '../resolve/recipe.js';

// The distro chooses the init system (`init:` in distros/*.yaml) and every
// image of that distro installs its package group: `init: X` means the
// package `packagegroup-init-X`, the way Yocto's INIT_MANAGER = "X" pulls in
// conf/distro/include/init-manager-X.inc and, through
// VIRTUAL-RUNTIME_init_manager, the init's packages into every image. A layer
// adds an init system by adding such a group; `none`, or no `init:` at all,
// adds nothing, and the image's own `install:` brings its PID 1.
//
// Checked when an image is planned, before anything is fetched or built: a
// value no group exists for, or whose group needs a package no recipe makes
// (its recipes are not in the project's layers), is an error at the distro's
// `init:` line whose hint lists the values that would work.

export const INIT_GROUP_PREFIX = 'packagegroup-init-';
export const NO_INIT = 'none';

/** The package a distro's init system adds to every image, and where the distro names it. */
export interface InitGroup {
  readonly name: string;
  readonly by: string;
  readonly at: SourceLocation;
}

/** The first package of `group`'s run-time closure that no recipe makes, with the rdepends entry naming it; undefined when all are made. */
function missingMember(group: string, index: ReadonlyMap<string, Recipe>): { pkg: string; by: string; at?: SourceLocation } | undefined {
  const seen = new Set<string>();
  const todo = [group];
  while (todo.length) {
    const pkg = todo.shift()!;
    if (seen.has(pkg)) continue;
    seen.add(pkg);
    const r = index.get(pkg)!;
    for (const dep of r.rdepends.get(pkg) ?? []) {
      if (!index.has(dep)) return { pkg: dep, by: pkg, at: r.rdependsAt.get(`${pkg} ${dep}`) };
      todo.push(dep);
    }
  }
  return undefined;
}

/** The init systems this project can install: each `packagegroup-init-*` whose closure every recipe needed for is present, and `none`. */
export function availableInits(index: ReadonlyMap<string, Recipe>): string[] {
  const groups = [...index.keys()].filter((p) => p.startsWith(INIT_GROUP_PREFIX) && !missingMember(p, index));
  return [...groups.map((p) => p.slice(INIT_GROUP_PREFIX.length)).sort(), NO_INIT];
}

/**
 * The package group of the distro's init system, or undefined for `none` or
 * no `init:`. `index` maps each package name to the recipe that makes it
 * (graph/plan.ts packageIndex).
 */
export function initPackageGroup(distro: Distro, index: ReadonlyMap<string, Recipe>): InitGroup | undefined {
  const init = distro.init;
  if (!init || init.value === NO_INIT) return undefined;
  const name = `${INIT_GROUP_PREFIX}${init.value}`;
  const known = availableInits(index);
  const hint = `known values: ${known.join(', ')} (an init system is a package group recipe named ${INIT_GROUP_PREFIX}<value>; see docs/base-image.md)`;
  if (!index.has(name)) {
    const near = closest(init.value, known);
    throw new UserError(
      diag('distro-init-unknown', `distro ${distro.name}: unknown init system '${init.value}': no recipe makes the package group '${name}'`, init.loc, {
        hint: near ? `did you mean '${near}'? ${hint}` : hint,
      }),
    );
  }
  const missing = missingMember(name, index);
  if (missing) {
    throw new UserError(
      diag(
        'distro-init-unavailable',
        `distro ${distro.name}: init system '${init.value}' is not available: its package group needs '${missing.pkg}', which no recipe makes`,
        init.loc,
        { related: missing.at ? [{ message: `${missing.by} depends on ${missing.pkg}`, location: missing.at }] : [], hint },
      ),
    );
  }
  return { name, by: `distro ${distro.name} (init: ${init.value})`, at: init.loc };
}

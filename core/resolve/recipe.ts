import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { recipeId, type RecipeId } from '../model/ids.js';
import { assignment, Level, type Assignment } from '../metadata/assignment.js';
import type { DynamicPackageSpec, PackageSpec, SourceSpec } from '../metadata/body.js';
import type { Catalog } from '../metadata/catalog.js';
import { DataStore } from '../metadata/datastore.js';
import type { AppendFile, ClassFile, RecipeFile } from '../metadata/recipe-file.js';
import type { Layer } from '../metadata/layer.js';
import { closest } from '../diagnostics/spelling.js';
import { versionMatches } from '../model/version.js';
import { mergeDeclarations, type RootfsDeclarations } from '../metadata/declarations.js';

// A recipe as the build sees it: its file, the classes it inherits, the
// appends other layers made to it, and a datastore holding every assignment
// from all of those plus the distro, machine, image and project.

export interface Recipe {
  readonly id: RecipeId;
  readonly name: string;
  readonly version: string;
  readonly file: string;
  readonly layer: Layer;
  readonly classes: readonly ClassFile[];
  readonly appends: readonly AppendFile[];
  readonly provides: readonly string[];
  readonly depends: readonly string[];
  /** Where each of `depends` is written (recipe, append or class). */
  readonly dependsAt: ReadonlyMap<string, SourceLocation>;
  readonly sources: readonly (SourceSpec & { dir: string })[];
  readonly packages: readonly PackageSpec[];
  /** `packages-dynamic:` of the recipe, its classes and appends. */
  readonly dynamicPackages: readonly DynamicPackageSpec[];
  readonly rdepends: ReadonlyMap<string, readonly string[]>;
  /** Where each run-time dependency is written, by `<package> <dependency>`. */
  readonly rdependsAt: ReadonlyMap<string, SourceLocation>;
  /** Per package, its configuration-file patterns where the recipe sets them. */
  readonly conffiles: ReadonlyMap<string, readonly string[]>;
  /** Users, groups, devices and permissions from the recipe, its classes and appends. */
  readonly declarations: RootfsDeclarations;
  readonly data: DataStore;
  /** Folders searched for `file://` sources, most specific first. */
  readonly filesPath: readonly string[];
  /** Folders a `file://` source may resolve into (symlinks followed): the layers of the recipe and its appends, the project, `file-source-dirs`. */
  readonly fileSourceRoots: readonly string[];
}

export interface GlobalContext {
  /** Assignments of distro, machine, image, project and command line, in that order. */
  readonly assignments: readonly Assignment[];
  /** Active override names, weakest first, without the per-recipe `pn-<name>`. */
  readonly overrides: readonly string[];
  /** Variables Strata sets for every recipe (weak defaults, so recipes may change them). */
  readonly builtins: (r: RecipeFile) => Record<string, string>;
  /** Folders every recipe's `file://` sources may come from besides its layers: the project and `file-source-dirs`. */
  readonly fileSourceDirs: readonly string[];
}

const BUILTIN_LOC: SourceLocation = { file: '<strata built-in>', line: 0, column: 0 };

function collectClasses(catalog: Catalog, names: readonly string[], from: SourceLocation, out: ClassFile[], seen: Set<string>): void {
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    const cls = catalog.classes.get(name);
    if (!cls) {
      const near = closest(name, catalog.classes.keys());
      throw new UserError(
        diag('class-unknown', `class '${name}' not found`, from, {
          hint:
            (near ? `did you mean '${near}'? ` : '') +
            `classes are looked up as classes/${name}.yaml in every layer: ${catalog.layers.map((l) => l.dir).join(', ')}`,
        }),
      );
    }
    collectClasses(catalog, cls.inherit, { file: cls.file, line: 1, column: 1 }, out, seen);
    out.push(cls);
  }
}

/** Appends for this recipe, weakest layer first; equal priorities keep project layer order, then file name. */
export function appendsFor(catalog: Catalog, file: RecipeFile): AppendFile[] {
  const order = new Map(catalog.layers.map((l, i) => [l.name, i]));
  return (catalog.appendsByTarget.get(file.name) ?? [])
    .filter((a) => !a.version || versionMatches(file.version, a.version))
    .sort((a, b) => a.layer.priority - b.layer.priority || order.get(a.layer.name)! - order.get(b.layer.name)! || a.file.localeCompare(b.file));
}

/** Built-in weak defaults, made once per distinct value: they are the same for most recipes. */
const builtinCache = new Map<string, Assignment>();
function builtinAssignment(name: string, value: string): Assignment {
  const key = `${name}\0${value}`;
  let a = builtinCache.get(key);
  if (!a) {
    a = assignment(`${name}:default`, value, Level.Class, BUILTIN_LOC);
    builtinCache.set(key, a);
  }
  return a;
}

/**
 * An `rdepends:` entry may name variables (`${MACHINE_EXTRA_RDEPENDS}`, as
 * a package group lets the machine add its kernel modules, or a dynamic
 * name such as `kernel-module-${NET_MODULE}`): it expands, as every recipe
 * value does, to zero or more package names; an unset variable is an error
 * at the entry.
 */
function expandNames(data: DataStore, where: string, item: string, loc: SourceLocation | undefined): string[] {
  if (!item.includes('${')) return [item];
  return data.expand(item, { where, loc }).split(/\s+/).filter(Boolean);
}

/** A fixed package's entry; each name it expands to is located where the entry is written. */
function expandRdepend(data: DataStore, pkg: string, item: string, at: Map<string, SourceLocation>): string[] {
  const loc = at.get(`${pkg} ${item}`);
  const names = expandNames(data, `rdepends of ${pkg}`, item, loc);
  if (loc) for (const n of names) at.set(`${pkg} ${n}`, loc);
  return names;
}

/** The same for the `rdepends:` of a `packages-dynamic:` entry, which every package it makes gets. */
function expandDynamic(data: DataStore, d: DynamicPackageSpec): DynamicPackageSpec {
  if (!d.rdepends.some((item) => item.includes('${'))) return d;
  const rdepends: string[] = [];
  const rdependsAt: SourceLocation[] = [];
  d.rdepends.forEach((item, i) => {
    const loc = d.rdependsAt[i] ?? d.loc;
    for (const n of expandNames(data, `rdepends of ${d.pattern}`, item, loc)) {
      rdepends.push(n);
      rdependsAt.push(loc);
    }
  });
  return { ...d, rdepends, rdependsAt };
}

export function buildRecipe(catalog: Catalog, file: RecipeFile, ctx: GlobalContext): Recipe {
  const classes: ClassFile[] = [];
  const appends = appendsFor(catalog, file);
  // Each part's inherits are looked up with that part's location, so an
  // unknown class named by an append is reported in the append.
  const seen = new Set<string>();
  for (const part of [file, ...appends]) collectClasses(catalog, part.inherit, part.loc, classes, seen);
  const parts = [...classes, file, ...appends];
  const assignments: Assignment[] = [];
  for (const [k, v] of Object.entries(ctx.builtins(file))) assignments.push(builtinAssignment(k, v));
  for (const p of parts) for (const a of p.assignments) assignments.push(a);
  for (const a of ctx.assignments) assignments.push(a);
  const data = new DataStore(assignments, [...ctx.overrides, `pn-${file.name}`]);
  const union = (pick: (p: (typeof parts)[number]) => readonly string[]) => [...new Set(parts.flatMap(pick))];
  const rdepends = new Map<string, string[]>();
  const rdependsAt = new Map(parts.flatMap((p) => [...p.rdependsAt]));
  for (const p of parts) {
    for (const [k, v] of p.rdepends) rdepends.set(k, [...(rdepends.get(k) ?? []), ...v.flatMap((item) => expandRdepend(data, k, item, rdependsAt))]);
  }
  const packages = parts.flatMap((p) => p.packages);
  // Later parts (appends) replace a package's conffiles patterns.
  const conffiles = new Map<string, readonly string[]>();
  for (const p of parts) for (const [k, v] of p.conffiles) conffiles.set(k, v);
  let filesPath: string[] | undefined;
  return {
    id: recipeId(file.name),
    name: file.name,
    version: file.version,
    file: file.file,
    layer: file.layer,
    classes,
    appends,
    provides: union((p) => p.provides),
    depends: union((p) => p.depends),
    dependsAt: new Map(parts.flatMap((p) => [...p.dependsAt])),
    sources: parts.flatMap((p) => p.sources.map((s) => ({ ...s, dir: p.dir }))),
    packages: packages.length ? packages : [{ name: file.name, patterns: ['/**'], loc: file.loc, implicit: true }],
    dynamicPackages: parts.flatMap((p) => p.dynamicPackages.map((d) => expandDynamic(data, d))),
    rdepends,
    rdependsAt,
    conffiles,
    declarations: mergeDeclarations(parts.map((p) => p.declarations)),
    data,
    // Like Yocto's FILESPATH: <recipe dir>/<name>/<override>/, then
    // <recipe dir>/<name>/, then <recipe dir>/files/, for the recipe and each
    // append. Made on first use: most recipes in a parse never need it.
    fileSourceRoots: [...new Set([file.layer.dir, ...appends.map((a) => a.layer.dir), ...ctx.fileSourceDirs])],
    get filesPath() {
      return (filesPath ??= [...appends.map((a) => a.dir).reverse(), file.dir].flatMap((d) => [
        ...ctx.overrides
          .slice()
          .reverse()
          .map((o) => `${d}/${file.name}/${o}`),
        `${d}/${file.name}`,
        `${d}/files`,
        d,
      ]));
    },
  };
}

export function checkAppendsMatch(catalog: Catalog): void {
  for (const a of catalog.appends) {
    const candidates = catalog.recipes.get(a.target);
    if (!candidates || (a.version && !candidates.some((r) => versionMatches(r.version, a.version!)))) {
      const near = closest(a.target, catalog.recipes.keys());
      throw new UserError(
        diag('append-unmatched', `append for '${a.target}${a.version ? ' ' + a.version : ''}' matches no recipe`, a.loc, {
          hint: candidates
            ? `versions of ${a.target}: ${candidates.map((r) => r.version).join(', ')}`
            : near
              ? `did you mean '${near}'?`
              : 'remove the append or add the recipe',
        }),
      );
    }
  }
}

import { BUILD_EPOCH, recipeWorkdirExpr } from '../config/build-layout.js';
import { loadDistro, type Distro } from '../config/distro.js';
import { loadImage, type Image } from '../config/image.js';
import { loadMachine, type Machine } from '../config/machine.js';
import { STRATA_ROOT, type Project } from '../config/project.js';
import type { PreferredVersion, ProviderChoice } from '../config/vars.js';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { assignment, Level } from '../metadata/assignment.js';
import { Catalog } from '../metadata/catalog.js';
import { DataStore } from '../metadata/datastore.js';
import { loadLayers } from '../metadata/layer.js';
import type { RecipeFile } from '../metadata/recipe-file.js';
import { closest } from '../diagnostics/spelling.js';
import { buildRecipe, checkAppendsMatch, type GlobalContext, type Recipe } from './recipe.js';
import { chooseRecipeFile } from './choose-version.js';
import { checkOverrideNames, WELL_KNOWN_OVERRIDES } from './override-names.js';

// One build configuration: project + machine + distro (+ image), with the
// recipes resolved against it. Everything downstream asks this object, so
// provider choice and version choice happen in exactly one place.

export class Configuration {
  readonly catalog: Catalog;
  readonly machine: Machine;
  readonly distro: Distro;
  private readonly recipes = new Map<string, Recipe>();
  private readonly ctx: GlobalContext;

  constructor(readonly project: Project) {
    this.catalog = new Catalog(loadLayers(project.layers, project.layersLoc), [STRATA_ROOT], project.masks);
    checkAppendsMatch(this.catalog);
    const read = this.catalog.includes.read;
    this.machine = loadMachine(this.catalog.findConfig('machines', project.machine), read);
    this.distro = loadDistro(this.catalog.findConfig('distros', project.distro), read);
    this.ctx = this.context();
    this.checkOverrideNames();
  }

  image(name: string): Image {
    const image = loadImage(this.catalog.findConfig('images', name), this.catalog.includes.read);
    // Image files are read on demand, so their conditional assignments are checked here.
    if (image.assignments.some((a) => a.overrides.length)) checkOverrideNames(image.assignments, this.knownOverrideNames());
    return image;
  }

  /**
   * Every override name that can be active in this project: each machine's
   * and distro's name, arch, libc and extra names, image names, pn-<recipe>,
   * names layers declare, and well-known arches and libcs.
   */
  knownOverrideNames(): Set<string> {
    const read = this.catalog.includes.read;
    const known = new Set<string>(WELL_KNOWN_OVERRIDES);
    for (const name of this.catalog.listConfigs('machines')) {
      const m = name === this.machine.name ? this.machine : loadMachine(this.catalog.findConfig('machines', name), read);
      [m.name, m.arch, ...m.overrides].forEach((o) => known.add(o));
    }
    for (const name of this.catalog.listConfigs('distros')) {
      const d = name === this.distro.name ? this.distro : loadDistro(this.catalog.findConfig('distros', name), read);
      [d.name, d.libc, ...d.overrides].forEach((o) => known.add(o));
    }
    for (const name of this.catalog.listConfigs('images')) known.add(name);
    for (const name of this.catalog.recipes.keys()) known.add(`pn-${name}`);
    for (const l of this.catalog.layers) l.overrides.forEach((o) => known.add(o));
    return known;
  }

  /** Checks every conditional assignment in the metadata once, up front. */
  private checkOverrideNames(): void {
    const c = this.catalog;
    const parts = [...[...c.recipes.values()].flat(), ...c.appends, ...c.classes.values()];
    const all = [...parts.flatMap((p) => p.assignments), ...this.ctx.assignments];
    if (all.some((a) => a.overrides.length)) checkOverrideNames(all, this.knownOverrideNames());
  }

  /** The variables an image sees: distro, machine, image and project settings. */
  imageData(image: Image): DataStore {
    const { project, machine, distro } = this;
    const builtins = Object.entries({ MACHINE: machine.name, TARGET_ARCH: machine.arch, DISTRO: distro.name, IMAGE: image.name, TOPDIR: project.buildDir });
    return new DataStore(
      [
        ...builtins.map(([k, v]) => assignment(`${k}:default`, v, Level.Class, { file: '<strata built-in>', line: 0, column: 0 })),
        ...distro.assignments,
        ...machine.assignments,
        ...image.assignments,
        ...project.assignments,
      ],
      [...this.overrides, image.name],
    );
  }

  /** OVERRIDES, weakest first: libc, arch, machine extras, machine, distro extras, distro. */
  get overrides(): string[] {
    const m = this.machine;
    const d = this.distro;
    return [d.libc, m.arch, ...m.overrides, m.name, ...d.overrides, d.name];
  }

  private context(): GlobalContext {
    const { project, machine, distro } = this;
    return {
      assignments: [...distro.assignments, ...machine.assignments, ...project.assignments],
      overrides: this.overrides,
      fileSourceDirs: [project.dir, ...project.fileSourceDirs],
      builtins: (r: RecipeFile) => ({
        TOPDIR: project.buildDir,
        MACHINE: machine.name,
        TARGET_ARCH: machine.arch,
        DISTRO: distro.name,
        DISTRO_VERSION: distro.version,
        DISTRO_PRETTY_NAME: distro.prettyName,
        LIBC: distro.libc,
        CONSOLE: machine.console,
        JOBS: String(project.jobs),
        SOURCE_DATE_EPOCH: String(BUILD_EPOCH),
        WORKDIR: recipeWorkdirExpr(r.name, r.version),
        S: '${WORKDIR}/${PN}-${PV}',
        B: '${S}',
        D: '${WORKDIR}/image',
        SYSROOT: '${WORKDIR}/sysroot',
      }),
    };
  }

  /** The preferred version of a recipe: the project's choice, else the distro's. */
  preferredVersion(name: string): PreferredVersion | undefined {
    return this.project.preferredVersions.get(name) ?? this.distro.preferredVersions.get(name);
  }

  /** The chosen recipe of that name: the preferred version if one is set, else the highest (see choose-version.ts). */
  recipe(name: string, from?: SourceLocation): Recipe {
    const cached = this.recipes.get(name);
    if (cached) return cached;
    const files = this.catalog.recipes.get(name);
    if (!files) {
      const near = closest(name, this.catalog.recipes.keys());
      throw new UserError(
        diag('recipe-unknown', `no recipe named '${name}'`, from, {
          hint: near ? `did you mean '${near}'?` : `known recipes: ${[...this.catalog.recipes.keys()].sort().join(', ')}`,
        }),
      );
    }
    const file = chooseRecipeFile(files, this.preferredVersion(name));
    const r = buildRecipe(this.catalog, file, this.ctx);
    this.recipes.set(name, r);
    return r;
  }

  /** Recipe name → the names its chosen recipe provides, built once on first need. */
  private providesIndex?: Map<string, readonly string[]>;

  /** Names of the recipes whose chosen version provides `name`. */
  providersOf(name: string): string[] {
    this.providesIndex ??= new Map([...this.catalog.recipes.keys()].map((n) => [n, this.recipe(n).provides]));
    return [...this.providesIndex]
      .filter(([, p]) => p.includes(name))
      .map(([n]) => n)
      .sort();
  }

  /**
   * Resolves a dependency name to a recipe: a recipe name, or a name some
   * recipe `provides` (like virtual/kernel), chosen by machine or distro
   * (machine wins) when several recipes offer it. `via` is the chain of
   * what asked for it, outermost first, for the error message.
   */
  provider(name: string, requestedBy: string, from?: SourceLocation, via: readonly string[] = []): Recipe {
    if (this.catalog.recipes.has(name)) return this.recipe(name, from);
    const choice: ProviderChoice | undefined = this.machine.providers.get(name) ?? this.distro.providers.get(name);
    const candidates = this.providersOf(name);
    const chain = via.length > 1 ? `, through ${[...via, name].join(' -> ')}` : '';
    if (choice) {
      if (!this.catalog.recipes.has(choice.provider)) {
        throw new UserError(
          diag('provider-unknown', `the provider chosen for '${name}' is '${choice.provider}', but no recipe has that name`, choice.loc, {
            hint: candidates.length ? `recipes providing ${name}: ${candidates.join(', ')}` : undefined,
          }),
        );
      }
      return this.recipe(choice.provider, choice.loc);
    }
    if (candidates.length === 1) return this.recipe(candidates[0]);
    if (candidates.length > 1) {
      throw new UserError(
        diag('provider-ambiguous', `several recipes provide '${name}' (needed by ${requestedBy}${chain}): ${candidates.join(', ')}`, from, {
          related: candidates.map((c) => ({ message: `${c} provides ${name}`, location: this.recipe(c).data.history('PN')[0]?.assignment.loc })),
          hint: `choose one in the machine or distro file:  providers: { ${name}: ${candidates[0]} }`,
        }),
      );
    }
    const all = [...this.catalog.recipes.keys(), ...[...this.providesIndex!.values()].flat()];
    const near = closest(name, all);
    throw new UserError(
      diag('provider-missing', `nothing provides '${name}' (needed by ${requestedBy}${chain})`, from, {
        hint: near ? `did you mean '${near}'?` : 'add a recipe that provides it, or a layer that has one',
      }),
    );
  }
}

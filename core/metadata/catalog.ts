import fg from 'fast-glob';
import { basename, resolve } from 'node:path';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { IncludeResolver } from './include.js';
import type { Layer } from './layer.js';
import { loadAppendFile, loadClassFile, loadRecipeFile, type AppendFile, type ClassFile, type RecipeFile } from './recipe-file.js';
import { closest } from '../diagnostics/spelling.js';

// Everything the layers offer, read once: recipe files (several versions of
// one name may coexist), appends, classes, and the folders where machine,
// distro and image files are looked up.

export type ConfigKind = 'machines' | 'distros' | 'images';

export interface Mask {
  readonly pattern: string;
  readonly loc: SourceLocation;
}

/** A mask `<layer glob>/<path glob>` as an ignore pattern for one layer, or undefined if it names another layer. */
function maskFor(layer: Layer, mask: Mask): string | undefined {
  const slash = mask.pattern.indexOf('/');
  if (slash <= 0) {
    throw new UserError(diag('layer-mask', `mask '${mask.pattern}' must start with a layer name, like 'core/recipes/busybox/**'`, mask.loc));
  }
  const layerGlob = new RegExp(
    '^' +
      mask.pattern
        .slice(0, slash)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return layerGlob.test(layer.name) ? mask.pattern.slice(slash + 1) : undefined;
}

export class Catalog {
  readonly recipes = new Map<string, RecipeFile[]>();
  readonly appends: AppendFile[] = [];
  /** The appends by the recipe name they target. */
  readonly appendsByTarget = new Map<string, AppendFile[]>();
  readonly classes = new Map<string, ClassFile>();
  readonly includes: IncludeResolver;
  /** Files the masks hid, for `strata layers` and `strata recipes` to show. */
  readonly masked: string[] = [];

  /**
   * `layers` in project order; `extraConfigDirs` are searched after every
   * layer (for configs and includes); `masks` come from the project, and
   * every layer's own masks are added.
   */
  constructor(
    readonly layers: readonly Layer[],
    private readonly extraConfigDirs: readonly string[] = [],
    projectMasks: readonly Mask[] = [],
  ) {
    // Highest priority first, so the first class or config found wins.
    const byPriority = [...layers].sort((a, b) => b.priority - a.priority);
    this.includes = new IncludeResolver([...byPriority.map((l) => resolve(l.dir, 'include')), ...extraConfigDirs.map((d) => resolve(d, 'include'))]);
    const read = this.includes.read;
    const masks = [...projectMasks, ...layers.flatMap((l) => l.masks)];
    for (const layer of byPriority) {
      // `.inc.yaml` files are fragments for `include:`, not recipes or classes.
      const patterns = ['recipes/**/*.yaml', 'classes/*.yaml'];
      const all = fg.sync(patterns, { cwd: layer.dir, absolute: true, ignore: ['**/*.inc.yaml'] }).sort();
      const ignore = masks.map((m) => maskFor(layer, m)).filter((m): m is string => m !== undefined);
      let files = all;
      if (ignore.length) {
        const kept = new Set(fg.sync(patterns, { cwd: layer.dir, absolute: true, ignore: ['**/*.inc.yaml', ...ignore] }));
        files = all.filter((f) => kept.has(f));
        this.masked.push(...all.filter((f) => !kept.has(f)));
      }
      for (const file of files) {
        if (file.startsWith(resolve(layer.dir, 'classes') + '/')) {
          const name = basename(file, '.yaml');
          if (!this.classes.has(name)) this.classes.set(name, loadClassFile(file, name, layer, read));
        } else if (file.endsWith('.append.yaml')) {
          const a = loadAppendFile(file, layer, read);
          this.appends.push(a);
          const list = this.appendsByTarget.get(a.target);
          if (list) list.push(a);
          else this.appendsByTarget.set(a.target, [a]);
        } else {
          const r = loadRecipeFile(file, layer, read);
          const list = this.recipes.get(r.name) ?? [];
          list.push(r);
          this.recipes.set(r.name, list);
        }
      }
    }
  }

  private configDirs(kind: ConfigKind): string[] {
    const byPriority = [...this.layers].sort((a, b) => b.priority - a.priority);
    return [...byPriority.map((l) => resolve(l.dir, kind)), ...this.extraConfigDirs.map((d) => resolve(d, kind))];
  }

  /** Finds `<kind>/<name>.yaml` in the highest-priority layer that has it. */
  findConfig(kind: ConfigKind, name: string): string {
    const dirs = this.configDirs(kind);
    const known = new Set<string>();
    for (const dir of dirs) {
      const files = fg.sync('*.yaml', { cwd: dir, absolute: true });
      const hit = files.find((f) => basename(f, '.yaml') === name);
      if (hit) return hit;
      for (const f of files) known.add(basename(f, '.yaml'));
    }
    const singular = kind.slice(0, -1);
    const near = closest(name, known);
    throw new UserError(
      diag(`${singular}-unknown`, `no ${singular} named '${name}'`, undefined, {
        hint: (near ? `did you mean '${near}'? ` : '') + `looked in: ${dirs.join(', ')}${known.size ? `; known: ${[...known].sort().join(', ')}` : ''}`,
      }),
    );
  }

  listConfigs(kind: ConfigKind): string[] {
    const names = new Set<string>();
    for (const dir of this.configDirs(kind)) for (const f of fg.sync('*.yaml', { cwd: dir })) names.add(basename(f, '.yaml'));
    return [...names].sort();
  }
}

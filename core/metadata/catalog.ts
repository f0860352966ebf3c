import fg from 'fast-glob';
import { basename, resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { Layer } from './layer.js';
import { loadAppendFile, loadClassFile, loadRecipeFile, type AppendFile, type ClassFile, type RecipeFile } from './recipe-file.js';
import { closest } from './spelling.js';

// Everything the layers offer, read once: recipe files (several versions of
// one name may coexist), appends, classes, and the folders where machine,
// distro and image files are looked up.

export type ConfigKind = 'machines' | 'distros' | 'images';

export class Catalog {
  readonly recipes = new Map<string, RecipeFile[]>();
  readonly appends: AppendFile[] = [];
  readonly classes = new Map<string, ClassFile>();

  /** `layers` in project order; `extraConfigDirs` are searched after every layer. */
  constructor(readonly layers: readonly Layer[], private readonly extraConfigDirs: readonly string[] = []) {
    // Highest priority first, so the first class or config found wins.
    const byPriority = [...layers].sort((a, b) => b.priority - a.priority);
    for (const layer of byPriority) {
      const files = fg.sync(['recipes/**/*.yaml', 'classes/*.yaml'], { cwd: layer.dir, absolute: true }).sort();
      for (const file of files) {
        if (file.startsWith(resolve(layer.dir, 'classes') + '/')) {
          const name = basename(file, '.yaml');
          if (!this.classes.has(name)) this.classes.set(name, loadClassFile(file, name, layer));
        } else if (file.endsWith('.append.yaml')) {
          this.appends.push(loadAppendFile(file, layer));
        } else {
          const r = loadRecipeFile(file, layer);
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

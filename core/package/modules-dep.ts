import { posix } from 'node:path';
import type { DependsReason } from './pkgdata.js';
import type { TreeEntry } from './walk.js';

// Run-time dependencies between kernel module packages, from depmod's
// modules.dep (modules.dep(5)): one line per module, `<module>: <needed> …`,
// the paths relative to /lib/modules/<version>/ (absolute in old depmods),
// the needed ones in the order modprobe loads them, transitively. Yocto's
// kernel-module-split.bbclass reads the same file (parse_depmod) to make
// kernel-module-a depend on kernel-module-b. Here a module's package depends
// on whichever package ships each module it needs, so modprobe on the
// device finds them all.

/** Module path → the module paths it needs, all absolute. */
export function parseModulesDep(text: string, dir: string): Map<string, string[]> {
  const abs = (p: string) => (p.startsWith('/') ? p : posix.join(dir, p));
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const needs = line
      .slice(colon + 1)
      .split(/\s+/)
      .filter(Boolean)
      .map(abs);
    out.set(abs(line.slice(0, colon).trim()), needs);
  }
  return out;
}

/** `/lib/modules/<version>/modules.dep` files of an install tree. */
export const modulesDepFiles = (tree: readonly TreeEntry[]): TreeEntry[] =>
  tree.filter((e) => e.type === 'file' && /^\/lib\/modules\/[^/]+\/modules\.dep$/.test(e.path));

export interface ModuleDepends {
  /** Package → what it depends on, and which module needs which. */
  readonly depends: ReadonlyMap<string, DependsReason[]>;
  /** Modules a module needs that no package ships. */
  readonly missing: readonly { module: string; needs: string }[];
}

/**
 * The dependencies modules.dep gives the packages in `wanted` (those whose
 * declaration says `rdepends-from: modules.dep`); `ownerOf` says which
 * package ships an installed path.
 */
export function moduleDepends(
  deps: readonly { file: string; text: string }[],
  ownerOf: (path: string) => string | undefined,
  wanted: (pkg: string) => boolean,
): ModuleDepends {
  const depends = new Map<string, DependsReason[]>();
  const missing: { module: string; needs: string }[] = [];
  for (const { file, text } of deps) {
    for (const [module, needs] of parseModulesDep(text, posix.dirname(file))) {
      const pkg = ownerOf(module);
      if (!pkg || !wanted(pkg)) continue;
      for (const n of needs) {
        const by = ownerOf(n);
        if (!by) missing.push({ module, needs: n });
        else if (by !== pkg) depends.set(pkg, [...(depends.get(pkg) ?? []), { package: by, why: 'modules.dep', binary: module, needs: n }]);
      }
    }
  }
  return { depends, missing };
}

import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { diag, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { DataStore } from '../metadata/datastore.js';
import { closest } from '../diagnostics/spelling.js';
import type { Recipe } from '../resolve/recipe.js';

// What a Kconfig-configured recipe (linux, u-boot) is configured from, read
// from its variables and checked before anything is compiled:
//
//   KCONFIG_DEFCONFIG      the base: defconfig, tinyconfig, allnoconfig, … or
//                          a named file in ${S}/${KCONFIG_DEFCONFIG_DIR}
//   KCONFIG_FRAGMENTS      fragment files merged on top, in order: absolute
//                          paths, or names looked up like file:// sources
//   KCONFIG_ARCH_SYMBOL    an option a named defconfig must set (CONFIG_<it>=y),
//                          so a defconfig for another architecture is refused
//
// Errors point at the line that set the value: through `X: ${Y}` indirection
// (the recipe's KCONFIG_DEFCONFIG: ${BOOTLOADER_DEFCONFIG}) to the machine
// line that chose it.

/** Targets scripts/kconfig/Makefile makes a whole configuration from (Linux and U-Boot alike). */
export const BASE_TARGETS = ['defconfig', 'tinyconfig', 'allnoconfig', 'alldefconfig', 'allyesconfig', 'allmodconfig'];

const REF = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export interface Fragment {
  /** Where the file is. */
  readonly path: string;
  /** The name as the variable lists it. */
  readonly name: string;
}

/** The assignment that gave `name` its value (or, with `word`, the one that added that word), followed through `${OTHER}` references. */
export function originOf(data: DataStore, name: string, word?: string, seen = new Set<string>()): SourceLocation | undefined {
  if (seen.has(name)) return undefined;
  seen.add(name);
  const live = data.history(name).filter((h) => h.effect === 'final' || h.effect === 'applied');
  const final = live.find((h) => h.effect === 'final');
  if (word) {
    const direct = live.find((h) => h.assignment.value.split(/\s+/).includes(word));
    if (direct) return direct.assignment.loc;
    for (const h of live) {
      for (const m of h.assignment.value.matchAll(REF)) {
        const at = originOf(data, m[1], word, seen);
        if (at) return at;
      }
    }
    return final?.assignment.loc;
  }
  if (!final) return undefined;
  const only = new RegExp(`^\\s*${REF.source}\\s*$`).exec(final.assignment.value);
  return (only && originOf(data, only[1], undefined, seen)) || final.assignment.loc;
}

const words = (data: DataStore, name: string): string[] => (data.has(name) ? data.get(name).split(/\s+/).filter(Boolean) : []);

/** The fragment files, each found, or one diagnostic per fragment that is not. */
export function resolveFragments(r: Recipe): { fragments: Fragment[]; problems: Diagnostic[] } {
  const fragments: Fragment[] = [];
  const problems: Diagnostic[] = [];
  for (const name of words(r.data, 'KCONFIG_FRAGMENTS')) {
    const tried = isAbsolute(name) ? [name] : r.filesPath.map((d) => resolve(d, name));
    const path = tried.find((p) => existsSync(p));
    if (path) fragments.push({ path, name });
    else {
      problems.push(
        diag('kconfig-fragment-missing', `${r.name}: configuration fragment '${name}' not found`, originOf(r.data, 'KCONFIG_FRAGMENTS', name), {
          hint: `looked for: ${tried.slice(0, 6).join(', ')}${tried.length > 6 ? ', …' : ''}`,
        }),
      );
    }
  }
  return { fragments, problems };
}

/** Checks the base configuration names something this source tree can make, for this architecture. */
export function checkDefconfig(r: Recipe, readFile: (p: string) => string): Diagnostic[] {
  const data = r.data;
  const base = data.get('KCONFIG_DEFCONFIG').trim();
  const loc = originOf(data, 'KCONFIG_DEFCONFIG');
  if (!base)
    return [
      diag('kconfig-defconfig-empty', `${r.name}: no base configuration (KCONFIG_DEFCONFIG is empty)`, loc, {
        hint: `name one of ${BASE_TARGETS.join(', ')} or a file of ${data.getOr('KCONFIG_DEFCONFIG_DIR', 'configs')}`,
      }),
    ];
  if (BASE_TARGETS.includes(base)) return [];
  const dir = join(data.get('S'), data.getOr('KCONFIG_DEFCONFIG_DIR', 'configs'));
  const file = join(dir, base);
  if (!existsSync(file)) {
    let known: string[] = [];
    try {
      known = readdirSync(dir);
    } catch {
      /* no such folder: the hint says where we looked */
    }
    const near = closest(base, [...known, ...BASE_TARGETS]);
    return [
      diag('kconfig-defconfig-unknown', `${r.name}: unknown defconfig '${base}': ${file} does not exist`, loc, {
        hint: near ? `did you mean '${near}'?` : `the defconfigs are the files in ${dir}`,
      }),
    ];
  }
  const symbol = data.getOr('KCONFIG_ARCH_SYMBOL', '').trim();
  if (symbol && !new RegExp(`^CONFIG_${symbol}=y$`, 'm').test(readFile(file))) {
    const arch = data.getOr('TARGET_ARCH', '?');
    return [
      diag('kconfig-defconfig-arch', `${r.name}: defconfig '${base}' is not for ${arch}: it does not set CONFIG_${symbol}=y`, loc, {
        hint: `pick a defconfig of ${file.slice(0, -base.length)} that sets CONFIG_${symbol}=y`,
      }),
    ];
  }
  return [];
}

import { posix } from 'node:path';
import type { ElfInfo } from './elf.js';
import type { DependsReason } from './pkgdata.js';

// Automatic run-time dependencies from shared libraries (Yocto's
// package_do_shlibs, Debian's dpkg-shlibdeps): every ELF file's DT_NEEDED
// libraries and its PT_INTERP loader must come from some package, and that
// package becomes a dependency. A package provides a soname when it holds
// an ELF file whose DT_SONAME is that name, or a file (or symlink) of that
// name directly in a library folder, where the loader looks by default
// (libraries linked without -soname, such as musl's libc.so, are found
// that way). The loader is provided by the package holding its path.

export const LIB_DIRS = ['/lib', '/lib32', '/lib64', '/usr/lib', '/usr/lib32', '/usr/lib64'];

/** What the resolver needs to know of a package: its name, its paths and the sonames it provides. */
export interface ShlibProvider {
  readonly name: string;
  readonly paths: readonly string[];
  readonly sonames: readonly string[];
}

export interface ElfFile {
  readonly path: string;
  readonly elf: ElfInfo;
}

/** The sonames a package provides, sorted. */
export function providedSonames(paths: readonly string[], elves: readonly ElfFile[]): string[] {
  const names = new Set<string>();
  for (const e of elves) if (e.elf.soname) names.add(e.elf.soname);
  for (const p of paths) if (LIB_DIRS.includes(posix.dirname(p))) names.add(posix.basename(p));
  return [...names].sort();
}

export interface Unresolved {
  readonly binary: string;
  readonly needs: string;
  readonly what: 'library' | 'interpreter';
}

/**
 * The run-time dependencies of a package from its ELF files. `providers` is
 * searched in order (the recipe's own packages first, then those of the
 * recipes it builds against), so the nearest provider wins. A package never
 * depends on itself.
 */
export function shlibDepends(
  pkg: string,
  elves: readonly ElfFile[],
  providers: readonly ShlibProvider[],
): { depends: DependsReason[]; unresolved: Unresolved[] } {
  const depends: DependsReason[] = [];
  const unresolved: Unresolved[] = [];
  const bySoname = new Map<string, string>();
  const byPath = new Map<string, string>();
  for (const p of providers) {
    for (const s of p.sonames) if (!bySoname.has(s)) bySoname.set(s, p.name);
    for (const f of p.paths) if (!byPath.has(f)) byPath.set(f, p.name);
  }
  for (const { path, elf } of elves) {
    const wants: [string, string | undefined, 'library' | 'interpreter'][] = [
      ...(elf.interpreter ? [[elf.interpreter, byPath.get(elf.interpreter), 'interpreter'] as [string, string | undefined, 'interpreter']] : []),
      ...elf.needed.map((n): [string, string | undefined, 'library'] => [n, bySoname.get(n), 'library']),
    ];
    for (const [needs, provider, what] of wants) {
      if (provider === undefined) unresolved.push({ binary: path, needs, what });
      else if (provider !== pkg) depends.push({ package: provider, why: what === 'library' ? 'shlib' : 'interpreter', binary: path, needs });
    }
  }
  return { depends, unresolved };
}

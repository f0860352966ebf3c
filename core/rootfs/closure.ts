import { diag, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { PackageData } from '../package/pkgdata.js';

// The packages of an image: what `install:` names and, transitively, every
// package those depend on at run time (declared `rdepends:` plus the shared
// libraries and loaders found when they were packaged), sorted by name.

export interface ClosureInput {
  readonly install: readonly string[];
  /**
   * The data of a package (after its package task ran), undefined when no
   * recipe makes it, or why a recipe that could make it did not (a dynamic
   * package whose pattern matched no file).
   */
  readonly lookup: (name: string) => PackageData | string | undefined;
  /** Where the image names a package, for errors. */
  readonly installAt: (name: string) => SourceLocation | undefined;
  /** Where a package's recipe declares that it depends on `dep` (rdepends, a package group's list), for errors; undefined for found ones (shared libraries). */
  readonly dependsAt?: (pkg: string, dep: string) => SourceLocation | undefined;
}

export type ClosureResult = { ok: true; packages: PackageData[] } | { ok: false; diagnostics: Diagnostic[] };

export function installClosure(input: ClosureInput): ClosureResult {
  const found = new Map<string, PackageData>();
  const problems: Diagnostic[] = [];
  const visit = (name: string, by?: PackageData) => {
    if (found.has(name)) return;
    const data = input.lookup(name);
    // The line that asked for it: the image's install line, or the depending package's rdepends entry.
    const at = by ? input.dependsAt?.(by.name, name) : input.installAt(name);
    if (typeof data === 'string') {
      problems.push(diag('package-not-made', by ? `package ${by.name} depends on ${name}: ${data}` : `image needs package '${name}': ${data}`, at));
      return;
    }
    if (!data) {
      const why = by?.dependsWhy.find((w) => w.package === name);
      const because = why?.binary ? ` (${why.binary} needs ${why.needs})` : '';
      problems.push(
        diag('package-unknown', by ? `package ${by.name} depends on ${name}${because}, which no recipe makes` : `no recipe makes package '${name}'`, at),
      );
      return;
    }
    found.set(name, data);
    for (const d of data.depends) visit(d, data);
  };
  for (const name of input.install) visit(name);
  if (problems.length) return { ok: false, diagnostics: problems };
  return { ok: true, packages: [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

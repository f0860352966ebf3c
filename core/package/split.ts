import { dirname } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { PackageSpec } from '../metadata/body.js';
import { globToRegExp } from './glob.js';
import type { TreeEntry } from './walk.js';

// Splits what a recipe installed into its packages. Each file goes to the
// first package (in the recipe's order) with a matching pattern, as in
// Yocto's FILES: `-dev` before the main package lets the main package say
// `/usr/**` and still leave headers to `-dev`. A folder goes to the first
// package whose pattern names it (a pattern `/var/**` names `/var` too, so
// empty folders can be shipped); parents of what a package holds come
// along. A file no package takes is an error (Yocto's "installed but not
// shipped"), and so is a pattern that matches nothing: both hide mistakes.

export interface SplitResult {
  readonly packages: Map<string, TreeEntry[]>;
  /** Files no package takes. */
  readonly unshipped: readonly string[];
  /** Patterns that match nothing in the install tree. */
  readonly problems: readonly Diagnostic[];
}

interface Matcher {
  readonly spec: PackageSpec;
  readonly res: readonly RegExp[];
  /** For `<dir>/**`: matches `<dir>` itself. */
  readonly dirRes: readonly (RegExp | undefined)[];
}

/** `claims`: paths already given to a package (dynamic packages, core/package/dynamic.ts), before any pattern is tried. */
export function assignFiles(tree: readonly TreeEntry[], specs: readonly PackageSpec[], claims: ReadonlyMap<string, string> = new Map()): SplitResult {
  const matchers: Matcher[] = specs.map((s) => ({
    spec: s,
    res: s.patterns.map(globToRegExp),
    dirRes: s.patterns.map((p) => (p.endsWith('/**') && p.length > 3 ? globToRegExp(p.slice(0, -3)) : undefined)),
  }));
  const used = matchers.map((m) => m.res.map(() => false));
  const packages = new Map<string, TreeEntry[]>(specs.map((s) => [s.name, []]));
  const unshipped: string[] = [];
  const byPath = new Map(tree.map((e) => [e.path, e]));
  const taken = new Map<string, Set<string>>(specs.map((s) => [s.name, new Set()]));
  const take = (name: string, e: TreeEntry) => {
    const set = taken.get(name)!;
    // Parent folders travel with what they hold.
    for (let p = dirname(e.path); p !== '/' && p !== '.'; p = dirname(p)) {
      if (set.has(p)) break;
      set.add(p);
      packages.get(name)!.push(byPath.get(p)!);
    }
    if (!set.has(e.path)) {
      set.add(e.path);
      packages.get(name)!.push(e);
    }
  };
  for (const e of tree) {
    const claimed = claims.get(e.path);
    if (claimed !== undefined) {
      take(claimed, e);
      continue;
    }
    let owner: string | undefined;
    matchers.forEach((m, mi) =>
      m.res.forEach((re, pi) => {
        const hit = re.test(e.path) || (e.type === 'dir' && m.dirRes[pi]?.test(e.path) === true);
        if (!hit) return;
        used[mi][pi] = true;
        owner ??= m.spec.name;
      }),
    );
    if (owner) take(owner, e);
    else if (e.type !== 'dir') unshipped.push(e.path);
  }
  const problems: Diagnostic[] = [];
  matchers.forEach((m, mi) => {
    if (m.spec.implicit) return;
    m.spec.patterns.forEach((p, pi) => {
      if (used[mi][pi]) return;
      problems.push(
        diag('package-glob-empty', `pattern '${p}' of package ${m.spec.name} matches nothing the recipe installed`, m.spec.patternLocs?.[pi] ?? m.spec.loc, {
          hint: 'fix the pattern, or remove it; `**` crosses folders, `*` and `?` do not',
        }),
      );
    });
  });
  for (const [name, list] of packages)
    packages.set(
      name,
      list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    );
  return { packages, unshipped, problems };
}

import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { DynamicPackageSpec } from '../metadata/body.js';
import { PACKAGE_NAME } from './control.js';
import { globSource } from './glob.js';
import type { TreeEntry } from './walk.js';

// Dynamic packages: Yocto's PACKAGES_DYNAMIC and do_split_packages, declared
// in YAML. A recipe names a package pattern with one `%` (`kernel-module-%`)
// and file patterns with one `%` in their last segment
// (`/lib/modules/*/kernel/**/%.ko`); every installed file a file pattern
// matches goes to its own package, named by putting the `%` match, made a
// legal package name, into the package pattern. Which packages exist is
// known only after install; the package pattern is known when the recipe is
// parsed, so an image may name `kernel-module-crc32c-generic` before
// anything is built (as PACKAGES_DYNAMIC lets BitBake accept it).

/**
 * Yocto's legitimize_package_name (meta/lib/oe/package.py): lower case, `_`
 * and `/` to `-`, `@` and `,` to `+`. Whatever else is not a package
 * character stays, and the name is then refused.
 */
export function legitimizePackageName(s: string): string {
  return s.toLowerCase().replace(/[_/]/g, '-').replace(/[@,]/g, '+');
}

/** The package a `%` match makes under a package pattern. */
export const dynamicPackageName = (pattern: string, stem: string): string => pattern.replace('%', legitimizePackageName(stem));

/**
 * Whether `name` is one a package pattern can make: the part at `%` is not
 * empty, already legitimate (`kernel-module-virtio_net` never is: it would
 * be made as `kernel-module-virtio-net`) and the whole a valid package name.
 */
export function matchesPackagePattern(pattern: string, name: string): boolean {
  const at = pattern.indexOf('%');
  const head = pattern.slice(0, at);
  const tail = pattern.slice(at + 1);
  if (name.length <= head.length + tail.length || !name.startsWith(head) || !name.endsWith(tail)) return false;
  const stem = name.slice(head.length, name.length - tail.length);
  return legitimizePackageName(stem) === stem && PACKAGE_NAME.test(name);
}

/** A file pattern with `%` as a regular expression whose one group is the `%` match (within one folder). */
export function dynamicFileRegExp(pattern: string): RegExp {
  const at = pattern.indexOf('%');
  return new RegExp(`^${globSource(pattern.slice(0, at))}([^/]+?)${globSource(pattern.slice(at + 1))}$`);
}

export interface DynamicSplit {
  /** The packages made, by name, with the declaration that made them (sorted by name). */
  readonly packages: ReadonlyMap<string, DynamicPackageSpec>;
  /** Installed path → the dynamic package that takes it. */
  readonly claims: ReadonlyMap<string, string>;
  readonly problems: readonly Diagnostic[];
}

/**
 * Matches every file and symlink of the install tree against the dynamic
 * file patterns. A pattern that matches nothing makes no package (a kernel
 * without modules has none; an image naming one then fails at its line).
 * Errors: a file two patterns claim, a name that is not a valid package
 * name, a name one of the recipe's fixed packages already has.
 */
export function splitDynamic(tree: readonly TreeEntry[], specs: readonly DynamicPackageSpec[], fixed: readonly string[]): DynamicSplit {
  const matchers = specs.flatMap((spec) => spec.files.map((file, i) => ({ spec, file, loc: spec.fileLocs[i] ?? spec.loc, re: dynamicFileRegExp(file) })));
  const packages = new Map<string, DynamicPackageSpec>();
  const claims = new Map<string, string>();
  const problems: Diagnostic[] = [];
  const refused = new Set<string>();
  for (const e of tree) {
    if (e.type === 'dir') continue;
    const hits = matchers.flatMap((m) => {
      const stem = m.re.exec(e.path)?.[1];
      return stem === undefined ? [] : [{ ...m, name: dynamicPackageName(m.spec.pattern, stem) }];
    });
    if (!hits.length) continue;
    if (hits.length > 1) {
      problems.push(
        diag('package-dynamic-overlap', `${e.path} is claimed by two dynamic patterns: '${hits[0].file}' and '${hits[1].file}'`, hits[1].loc, {
          hint: 'make the patterns disjoint: each file goes to one package',
          related: [{ message: 'the other pattern', location: hits[0].loc }],
        }),
      );
      continue;
    }
    const [{ name, spec, loc, file }] = hits;
    if (!PACKAGE_NAME.test(name)) {
      if (!refused.has(name))
        problems.push(
          diag('package-bad-name', `${e.path} matches '${file}' but would make package '${name}', which is not a valid package name`, loc, {
            hint: 'lower-case letters, digits, + - and .; rename the file or narrow the pattern',
          }),
        );
      refused.add(name);
      continue;
    }
    if (fixed.includes(name)) {
      problems.push(diag('package-dynamic-overlap', `${e.path} would make package '${name}', which is already one of the recipe's packages`, loc));
      continue;
    }
    const before = packages.get(name);
    if (before && before !== spec) {
      problems.push(diag('package-dynamic-overlap', `package '${name}' is made by two dynamic patterns, '${before.pattern}' and '${spec.pattern}'`, loc));
      continue;
    }
    packages.set(name, spec);
    claims.set(e.path, name);
  }
  return { packages: new Map([...packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), claims, problems };
}

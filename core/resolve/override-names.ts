import { diag, UserError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { keyOf, OPERATORS, type Assignment } from '../metadata/assignment.js';
import { closest } from '../diagnostics/spelling.js';

// An override name nobody can ever activate makes its assignment silently
// dead: `CFLAGS:apend` reads as "assign CFLAGS when override 'apend' is
// active", which never happens. BitBake accepts such names; Strata checks
// every conditional assignment against the names that can be active in
// this project and reports the misspelt ones with a suggestion.

/** Architectures and C libraries a layer may target even if no machine or distro here uses them. */
export const WELL_KNOWN_OVERRIDES = [
  'aarch64',
  'arm',
  'armeb',
  'x86_64',
  'i686',
  'i586',
  'riscv64',
  'riscv32',
  'mips',
  'mipsel',
  'mips64',
  'powerpc',
  'powerpc64',
  'powerpc64le',
  'musl',
  'glibc',
  'uclibc',
  'newlib',
];

export function checkOverrideNames(assignments: Iterable<Assignment>, known: ReadonlySet<string>): void {
  const problems: Diagnostic[] = [];
  for (const a of assignments) {
    for (const o of a.overrides) {
      if (known.has(o)) continue;
      const op = closest(o, OPERATORS);
      const near = closest(o, known);
      const key = keyOf(a);
      problems.push(
        diag('var-override-unknown', `in '${key}', '${o}' is not an override name of this project, so the assignment could never apply`, a.loc, {
          hint:
            (op && !near ? `did you mean the operator ':${op}'? ` : near ? `did you mean '${near}'? ` : '') +
            'override names are machine and distro names, their arch, libc and extra overrides, image names, pn-<recipe>, and names a layer declares under `overrides:` in layer.yaml',
        }),
      );
    }
  }
  if (problems.length) throw new UserError(problems);
}

import { diag, UserError } from '../diagnostics/diagnostic.js';
import { keyOf, Level, levelName, type Assignment } from './assignment.js';

// Where Strata's precedence makes a BitBake habit give another value
// silently, it reports an error instead (docs/metadata.md, "Coming from
// BitBake"). The cause is always the same: BitBake parses the configuration
// (local.conf, machine, distro) before any recipe, so a recipe's `:=` or
// `unset` sees and acts on configuration values; in Strata the
// configuration levels are stronger than, hence after, classes, recipes and
// appends, so those two cannot see or cancel them.

/** Distro, machine, image, project and command line: what BitBake would have parsed before the recipe. */
const isConfiguration = (l: Level): boolean => l >= Level.Distro;

/**
 * A recipe-side immediate value that reads a variable the configuration
 * assigns: BitBake's `:=` would see the configuration's value, Strata's sees
 * only what comes before it.
 */
export function checkImmediateReads(
  a: Assignment,
  reads: readonly string[],
  assignmentsOf: (name: string) => readonly Assignment[],
  applies: (a: Assignment) => boolean,
): void {
  if (isConfiguration(a.level)) return;
  for (const name of reads) {
    const later = assignmentsOf(name).find((x) => isConfiguration(x.level) && applies(x));
    if (!later) continue;
    throw new UserError(
      diag(
        'var-immediate-stronger',
        `'${keyOf(a)}' reads ${name}, which the ${levelName(later.level)} assigns later; an immediate value sees only what comes before it`,
        a.loc,
        {
          related: [{ message: `${keyOf(later)} is assigned here`, location: later.loc }],
          hint: `in BitBake the configuration is read before recipes, so := would see it; write a plain assignment ('${[a.name, ...a.target].join(':')}:') to use the final ${name}`,
        },
      ),
    );
  }
}

/** A recipe-side unset facing a configuration assignment it cannot cancel (BitBake's would). */
export function checkUnsets(all: readonly Assignment[], applies: (a: Assignment) => boolean): void {
  for (const u of all) {
    if (u.op !== 'unset' || isConfiguration(u.level) || !applies(u)) continue;
    const key = u.target.join(':');
    const later = all.find((x) => isConfiguration(x.level) && x.op !== 'unset' && applies(x) && (u.target.length === 0 || x.target.join(':') === key));
    if (!later) continue;
    throw new UserError(
      diag('var-unset-stronger', `'${keyOf(u)}' cannot cancel ${keyOf(later)} of the ${levelName(later.level)}, a stronger level`, u.loc, {
        related: [{ message: `${keyOf(later)} is assigned here`, location: later.loc }],
        hint: `in BitBake a recipe's unset also removes configuration values; in Strata unset the variable at the ${levelName(later.level)} level or above, or remove that assignment`,
      }),
    );
  }
}

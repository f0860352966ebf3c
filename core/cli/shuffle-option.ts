import { randomInt } from 'node:crypto';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { parseShuffleSeed } from '../scheduler/ready-order.js';

// `strata build --shuffle[=SEED]`: ready tasks start in an order drawn from
// SEED (core/scheduler/ready-order.ts), or from a random seed that the
// build prints so a failure it finds can be replayed.

/**
 * A bare `--shuffle` as `--shuffle=`: node's parseArgs wants a value for a
 * string option and would take the next word (the target) as the seed.
 */
export function shuffleArgv(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => (a === '--shuffle' && (end < 0 || i < end) ? '--shuffle=' : a));
}

/** The seed to shuffle with: undefined without --shuffle, a random one for a bare --shuffle. */
export function shuffleSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === '') return randomInt(0, 2 ** 32);
  const seed = parseShuffleSeed(value);
  if (seed === undefined)
    throw new UserError(
      diag('usage', `--shuffle takes a whole number from 0 to 4294967295 as its seed, not '${value}'`, undefined, {
        hint: 'write --shuffle=42, or --shuffle alone for a random seed',
      }),
    );
  return seed;
}

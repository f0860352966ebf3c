import { criticalPathLengths } from '../graph/critical-path.js';
import type { TaskGraph } from '../graph/task-graph.js';

// Which of the ready tasks starts first.
//
// Normally the one with the longest chain of work behind it (the critical
// path, weighted by how long each task took last time), ties broken by
// name so a build is repeatable.
//
// With a shuffle seed (`strata build --shuffle[=SEED]`), ready tasks start
// in a random order instead, drawn from the seed: a dependency a recipe
// forgot to declare shows up as a failure in some orders rather than
// working by luck, the way BitBake's and Bazel's shuffled runs flush them
// out. Each task gets a rank hashed from the seed and its name, not a draw
// from a running generator, so the same seed gives the same preferences
// however many tasks are ready at each step, and a failure found with a
// seed comes back with that seed (one task at a time, -j 1, replays it
// exactly).

export type ReadyOrder = (a: string, b: string) => number;

export function criticalPathOrder<T>(g: TaskGraph<T>, weight?: (key: string) => number): ReadyOrder {
  const priority = criticalPathLengths(g, weight);
  return (a, b) => priority.get(b)! - priority.get(a)! || (a < b ? -1 : a > b ? 1 : 0);
}

export function shuffledOrder(seed: number): ReadyOrder {
  const ranks = new Map<string, number>();
  const rank = (key: string) => {
    let r = ranks.get(key);
    if (r === undefined) ranks.set(key, (r = seededRank(seed, key)));
    return r;
  };
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A 32-bit rank from the seed and a task's key: FNV-1a over both, then the
 * murmur3 finaliser so neighbouring keys land far apart. Not for secrets,
 * only for an order that is random-looking and the same on every machine.
 */
export function seededRank(seed: number, key: string): number {
  // The seed goes in as text only: xor-ing it into the start value too would
  // cancel out against its own first digit for seeds 0 to 9.
  let h = 0x811c9dc5;
  const text = `${seed}\0${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `--shuffle=SEED`: a whole number from 0 to 2^32 - 1, or undefined when the text is not one. */
export function parseShuffleSeed(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

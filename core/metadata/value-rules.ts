import type { Assignment } from './assignment.js';

// Which assignments make a variable's value (docs/metadata.md has examples,
// and says where BitBake differs):
//  1. An assignment applies only when all its override names are active.
//  2. An `unset` cancels every assignment before it (weaker level, or earlier
//     at its level) to the variable, or to its override-specific value.
//  3. Among the override-specific values (`V:a`, `V:a:b`), the most specific
//     one wins (compareSpecificity) and replaces the variable's own value;
//     its own appends and prepends apply to it. Failing one, the last plain
//     `set` or `immediate` by level then file order; failing that, the last
//     `default`.
//  4. Then every applying `append` and `prepend` of the variable, in order.
//  5. The result is expanded, then every applying `remove` (its argument
//     expanded too) drops words from the expanded value (removeWords).

export type Effect = 'final' | 'overridden' | 'inactive' | 'ignored' | 'applied' | 'cancelled';

export interface Selection {
  /** Every assignment to the variable, weakest level first. */
  readonly all: readonly Assignment[];
  /** The assignment that gives the base value, if any. */
  readonly winner?: Assignment;
  /** Appends and prepends that apply, in order (the chosen override-specific value's first). */
  readonly edits?: readonly Assignment[];
  readonly removes?: readonly Assignment[];
  /** The chosen override-specific value, as the key of its names. */
  readonly chosen?: string;
  readonly cancelled?: ReadonlySet<Assignment>;
}

/** `V:a:b` and `V:b:a` name one value. */
const targetKey = (a: Assignment): string => (a.target.length === 1 ? a.target[0] : [...a.target].sort().join(':'));

interface TargetValue {
  readonly names: readonly string[];
  set?: Assignment;
  weak?: Assignment;
  edits?: Assignment[];
  removes?: Assignment[];
}

/**
 * Orders two override-specific values for the same variable: the one whose
 * key names more active overrides wins (`V:a:b` beats `V:c` whatever the
 * order of a, b, c in OVERRIDES: BitBake prefers the more specific key, as
 * its maintainers observed on the yocto list, "What are _virtual
 * providers?", 2013); with as many names, the one with the stronger
 * strongest name, then the stronger second name, and so on. Two different
 * sets of names never tie, so line order never decides.
 */
export function compareSpecificity(a: readonly string[], b: readonly string[], rank: ReadonlyMap<string, number>): number {
  if (a.length !== b.length) return a.length - b.length;
  const ra = a.map((o) => rank.get(o) ?? -1).sort((x, y) => y - x);
  const rb = b.map((o) => rank.get(o) ?? -1).sort((x, y) => y - x);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
  return 0;
}

/**
 * BitBake's `:remove` (user manual, "Removal (Override Style Syntax)"):
 * every whitespace-separated word of the expanded value that equals a word
 * to remove goes, and every space, tab and newline stays where it was
 * ("surrounding spaces and spacing are preserved"). So a value nothing is
 * removed from comes back unchanged to the byte.
 */
export function removeWords(value: string, words: ReadonlySet<string>): string {
  return value.replace(/\S+/g, (w) => (words.has(w) ? '' : w));
}

// Called for every variable of every recipe, so the common case (no
// override-specific values, no unset) makes one pass and allocates little.
/** Rules 1 to 4 over `list` (level order, then file order within a level). */
export function selectValue(list: readonly Assignment[], applies: (a: Assignment) => boolean, rank: ReadonlyMap<string, number>): Selection {
  let all = list;
  for (let i = 1; i < list.length; i++) {
    if (list[i].level < list[i - 1].level) {
      all = [...list].sort((x, y) => x.level - y.level);
      break;
    }
  }
  let cancelled: Set<Assignment> | undefined;
  for (let u = 0; u < all.length; u++) {
    const un = all[u];
    if (un.op !== 'unset' || !applies(un)) continue;
    const key = un.target.length ? targetKey(un) : undefined;
    for (let i = 0; i < u; i++) if (key === undefined || (all[i].target.length && targetKey(all[i]) === key)) (cancelled ??= new Set()).add(all[i]);
  }
  let plain: Assignment | undefined;
  let weak: Assignment | undefined;
  let edits: Assignment[] | undefined;
  let removes: Assignment[] | undefined;
  let targets: Map<string, TargetValue> | undefined;
  for (const a of all) {
    if (a.op === 'unset' || !applies(a) || cancelled?.has(a)) continue;
    if (a.target.length) {
      const key = targetKey(a);
      let t = (targets ??= new Map()).get(key);
      if (!t) targets.set(key, (t = { names: a.target }));
      if (a.op === 'set' || a.op === 'immediate') t.set = a;
      else if (a.op === 'default') t.weak = a;
      else if (a.op === 'remove') (t.removes ??= []).push(a);
      else (t.edits ??= []).push(a);
    } else if (a.op === 'set' || a.op === 'immediate') plain = a;
    else if (a.op === 'default') weak = a;
    else if (a.op === 'remove') (removes ??= []).push(a);
    else (edits ??= []).push(a);
  }
  let winner = plain ?? weak;
  let chosen: string | undefined;
  if (targets) {
    let best: [string, TargetValue] | undefined;
    for (const entry of targets) {
      const t = entry[1];
      // A remove alone does not make a value.
      if (!t.set && !t.weak && !t.edits) continue;
      if (!best || compareSpecificity(t.names, best[1].names, rank) > 0) best = entry;
    }
    if (best) {
      const t = best[1];
      chosen = best[0];
      winner = t.set ?? t.weak;
      if (t.edits) edits = [...t.edits, ...(edits ?? [])];
      if (t.removes) removes = [...t.removes, ...(removes ?? [])];
    }
  }
  return { all, winner, edits, removes, chosen, cancelled };
}

/** What an assignment did, for the history. */
export function effectOf(a: Assignment, s: Selection, applies: (a: Assignment) => boolean): Effect {
  if (!applies(a)) return 'inactive';
  if (s.cancelled?.has(a)) return 'cancelled';
  if (a === s.winner) return 'final';
  if (a.op === 'unset') return 'applied';
  if (a.target.length && targetKey(a) !== s.chosen) return a.op === 'default' ? 'ignored' : 'overridden';
  if (a.op === 'set' || a.op === 'immediate') return 'overridden';
  if (a.op === 'default') return 'ignored';
  return 'applied';
}

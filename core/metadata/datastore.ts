import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { Assignment } from './assignment.js';

// The datastore answers "what is VAR here, and why". It keeps every
// assignment (never a pre-merged value), so the history is exact and values
// are computed lazily, once, on first use.
//
// Rules (docs/metadata.md has examples):
//  1. An assignment applies only when all its override names are active.
//  2. The base value is the applying conditional `set` whose override ranks
//     highest in OVERRIDES order (later = stronger); failing that, the last
//     plain `set` by level then file order; failing that, the last `default`.
//  3. Then every applying `append` and `prepend`, in order.
//  4. Then every applying `remove` drops whole words.

const REFERENCE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;

export type Effect = 'final' | 'overridden' | 'inactive' | 'ignored' | 'applied';

export interface HistoryEntry {
  readonly assignment: Assignment;
  readonly effect: Effect;
}

interface Computed {
  readonly raw: string | undefined;
  /** Every assignment to the variable, weakest level first. */
  readonly all: readonly Assignment[];
  readonly winner?: Assignment;
  /** The expanded value, once asked for (kept here, not in a second map: a parse holds a million of these). */
  value?: string;
}

export class DataStore {
  private readonly byName = new Map<string, Assignment[]>();
  private readonly computed = new Map<string, Computed>();
  private readonly rank: Map<string, number>;

  /** `assignments` in level order then file order; `overrides` weakest first. */
  constructor(assignments: readonly Assignment[], readonly overrides: readonly string[]) {
    for (const a of assignments) {
      const list = this.byName.get(a.name);
      if (list) list.push(a);
      else this.byName.set(a.name, [a]);
    }
    this.rank = new Map(overrides.map((o, i) => [o, i]));
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  has(name: string): boolean {
    return this.compute(name).raw !== undefined;
  }

  private applies(a: Assignment): boolean {
    for (const o of a.overrides) if (!this.rank.has(o)) return false;
    return true;
  }

  private strength(a: Assignment): number {
    let best = -1;
    for (const o of a.overrides) best = Math.max(best, this.rank.get(o) ?? -1);
    return best;
  }

  // Called for every variable of every recipe, so it makes one pass and
  // allocates little; the history is only built when someone asks for it.
  private compute(name: string): Computed {
    const cached = this.computed.get(name);
    if (cached) return cached;
    const list = this.byName.get(name) ?? [];
    let all = list;
    for (let i = 1; i < list.length; i++) {
      if (list[i].level < list[i - 1].level) {
        all = [...list].sort((x, y) => x.level - y.level);
        break;
      }
    }
    let conditional: Assignment | undefined;
    let plain: Assignment | undefined;
    let weak: Assignment | undefined;
    let edits = false;
    for (const a of all) {
      if (!this.applies(a)) continue;
      if (a.op === 'set') {
        if (a.overrides.length === 0) plain = a;
        else if (!conditional || this.strength(a) >= this.strength(conditional)) conditional = a;
      } else if (a.op === 'default') weak = a;
      else edits = true;
    }
    const winner = conditional ?? plain ?? weak;
    let value = winner?.value;
    if (edits) {
      let removals: Set<string> | undefined;
      for (const a of all) {
        if (a.op === 'set' || a.op === 'default' || !this.applies(a)) continue;
        if (a.op === 'append') value = (value ?? '') + a.value;
        else if (a.op === 'prepend') value = a.value + (value ?? '');
        else for (const w of a.value.split(/\s+/)) if (w) (removals ??= new Set()).add(w);
      }
      if (value !== undefined && removals) value = value.split(/\s+/).filter((w) => w && !removals!.has(w)).join(' ');
    }
    const result: Computed = { raw: value, all, winner };
    this.computed.set(name, result);
    return result;
  }

  /** The value before `${}` expansion, or undefined when nothing sets it. */
  raw(name: string): string | undefined {
    return this.compute(name).raw;
  }

  history(name: string): HistoryEntry[] {
    const { all, winner } = this.compute(name);
    return all.map((a): HistoryEntry => {
      if (!this.applies(a)) return { assignment: a, effect: 'inactive' };
      if (a === winner) return { assignment: a, effect: 'final' };
      if (a.op === 'set') return { assignment: a, effect: 'overridden' };
      if (a.op === 'default') return { assignment: a, effect: 'ignored' };
      return { assignment: a, effect: 'applied' };
    });
  }

  /**
   * Every variable `text` refers to, directly or through other variables'
   * values, sorted. Task signatures record exactly these (with their
   * values), so a change to any other variable does not touch the task.
   */
  referencesOf(text: string): string[] {
    const found = new Set<string>();
    const visit = (t: string) => {
      for (const ref of directReferences(t)) {
        if (found.has(ref)) continue;
        found.add(ref);
        const raw = this.raw(ref);
        if (raw !== undefined) visit(raw);
      }
    };
    visit(text);
    return [...found].sort();
  }

  /** The expanded value; undefined variable or a reference cycle is an error. */
  get(name: string): string {
    return this.expandVar(name, []);
  }

  getOr(name: string, fallback: string): string {
    return this.has(name) ? this.get(name) : fallback;
  }

  /** Expands `${VAR}` references in any text (a task script, a URL). `$${` stays a literal `${`. */
  expand(text: string, context: { where: string; loc?: Assignment['loc'] }): string {
    return this.expandText(text, [], context);
  }

  private expandVar(name: string, chain: string[]): string {
    const c = this.compute(name);
    if (c.value !== undefined) return c.value;
    if (chain.includes(name)) {
      const cycle = [...chain.slice(chain.indexOf(name)), name];
      throw new UserError(
        diag('var-cycle', `variable reference cycle: ${cycle.join(' -> ')}`, this.compute(name).winner?.loc, {
          related: cycle.slice(0, -1).map((n) => ({ message: `${n} is set here`, location: this.compute(n).winner?.loc })),
        }),
      );
    }
    if (c.raw === undefined) throw new UserError(diag('var-undefined', `variable '${name}' is not set`));
    chain.push(name);
    const value = this.expandText(c.raw, chain, { where: `variable ${name}`, loc: c.winner?.loc });
    chain.pop();
    c.value = value;
    return value;
  }

  // A hand-written scan rather than a regex replace: this runs for every
  // value of every recipe, and the parse benchmark spends its time here.
  private expandText(text: string, chain: string[], context: { where: string; loc?: Assignment['loc'] }): string {
    let at = text.indexOf('${');
    if (at < 0) return text;
    let out = '';
    let done = 0;
    while (at >= 0) {
      const close = text.indexOf('}', at + 2);
      if (close < 0) break;
      if (at > 0 && text.charCodeAt(at - 1) === 36 /* $ */) {
        // `$${name}` is a literal `${name}` for the shell.
        out += text.slice(done, at - 1) + text.slice(at, close + 1);
      } else {
        const ref = text.slice(at + 2, close);
        out += text.slice(done, at) + this.expandRef(ref, chain, context);
      }
      done = close + 1;
      at = text.indexOf('${', done);
    }
    return out + text.slice(done);
  }

  private expandRef(ref: string, chain: string[], context: { where: string; loc?: Assignment['loc'] }): string {
    if (!REFERENCE.test(ref)) {
      throw new UserError(diag('var-reference', `${context.where}: '\${${ref}}' is not a valid reference`, context.loc, { hint: 'write $$\{...} for a literal \${...} in shell code' }));
    }
    if (!this.has(ref)) {
      throw new UserError(
        diag('var-undefined', `${context.where} refers to \${${ref}}, which is not set`, context.loc, {
          hint: `set ${ref} in the recipe, a class, the machine or the distro; for a shell variable write $${ref} or $\${${ref}}`,
        }),
      );
    }
    return this.expandVar(ref, chain);
  }

}

/** Names written as `${NAME}` in text (not `$${…}`, which is a literal). */
export function directReferences(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf('${'); at >= 0; at = text.indexOf('${', at + 2)) {
    const close = text.indexOf('}', at + 2);
    if (close < 0) break;
    if (at > 0 && text.charCodeAt(at - 1) === 36 /* $ */) continue;
    const ref = text.slice(at + 2, close);
    if (REFERENCE.test(ref)) out.push(ref);
  }
  return out;
}

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

export type Effect = 'final' | 'overridden' | 'inactive' | 'ignored' | 'applied';

export interface HistoryEntry {
  readonly assignment: Assignment;
  readonly effect: Effect;
}

interface Computed {
  readonly raw: string | undefined;
  readonly history: HistoryEntry[];
  readonly winner?: Assignment;
}

export class DataStore {
  private readonly byName = new Map<string, Assignment[]>();
  private readonly computed = new Map<string, Computed>();
  private readonly expanded = new Map<string, string>();
  private readonly rank: Map<string, number>;

  /** `assignments` in level order then file order; `overrides` weakest first. */
  constructor(assignments: readonly Assignment[], readonly overrides: readonly string[]) {
    for (const a of assignments) {
      const list = this.byName.get(a.name) ?? [];
      list.push(a);
      this.byName.set(a.name, list);
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
    return a.overrides.every((o) => this.rank.has(o));
  }

  private strength(a: Assignment): number {
    return Math.max(...a.overrides.map((o) => this.rank.get(o) ?? -1));
  }

  private compute(name: string): Computed {
    const cached = this.computed.get(name);
    if (cached) return cached;
    const all = [...(this.byName.get(name) ?? [])].sort((x, y) => x.level - y.level);
    const active = all.filter((a) => this.applies(a));
    const sets = active.filter((a) => a.op === 'set');
    const conditional = sets.filter((a) => a.overrides.length > 0);
    let winner: Assignment | undefined;
    for (const a of conditional) if (!winner || this.strength(a) >= this.strength(winner)) winner = a;
    if (!winner) winner = sets.filter((a) => a.overrides.length === 0).at(-1);
    if (!winner) winner = active.filter((a) => a.op === 'default').at(-1);

    let value = winner?.value;
    for (const a of active) {
      if (a.op === 'append') value = (value ?? '') + a.value;
      if (a.op === 'prepend') value = a.value + (value ?? '');
    }
    const removals = new Set(active.filter((a) => a.op === 'remove').flatMap((a) => a.value.split(/\s+/).filter(Boolean)));
    if (value !== undefined && removals.size) value = value.split(/\s+/).filter((w) => w && !removals.has(w)).join(' ');

    const history = all.map((a): HistoryEntry => {
      if (!this.applies(a)) return { assignment: a, effect: 'inactive' };
      if (a === winner) return { assignment: a, effect: 'final' };
      if (a.op === 'set') return { assignment: a, effect: 'overridden' };
      if (a.op === 'default') return { assignment: a, effect: 'ignored' };
      return { assignment: a, effect: 'applied' };
    });
    const result = { raw: value, history, winner };
    this.computed.set(name, result);
    return result;
  }

  /** The value before `${}` expansion, or undefined when nothing sets it. */
  raw(name: string): string | undefined {
    return this.compute(name).raw;
  }

  history(name: string): HistoryEntry[] {
    return this.compute(name).history;
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
    const done = this.expanded.get(name);
    if (done !== undefined) return done;
    if (chain.includes(name)) {
      const cycle = [...chain.slice(chain.indexOf(name)), name];
      throw new UserError(
        diag('var-cycle', `variable reference cycle: ${cycle.join(' -> ')}`, this.compute(name).winner?.loc, {
          related: cycle.slice(0, -1).map((n) => ({ message: `${n} is set here`, location: this.compute(n).winner?.loc })),
        }),
      );
    }
    const c = this.compute(name);
    if (c.raw === undefined) throw new UserError(diag('var-undefined', `variable '${name}' is not set`));
    const value = this.expandText(c.raw, [...chain, name], { where: `variable ${name}`, loc: c.winner?.loc });
    this.expanded.set(name, value);
    return value;
  }

  private expandText(text: string, chain: string[], context: { where: string; loc?: Assignment['loc'] }): string {
    return text.replace(/\$?\$\{([^}]*)\}/g, (whole, ref: string) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_.\-]*$/.test(ref)) {
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
    });
  }
}

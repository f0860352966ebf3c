import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { keyOf, type Assignment } from './assignment.js';
import { checkImmediateReads, checkUnsets } from './bitbake-habits.js';
import { closingBrace, compareSpecificity, forEachReference, REFERENCE, removeWords } from './references.js';

export { directReferences } from './references.js';

// The datastore answers "what is VAR here, and why". It keeps every
// assignment (never a pre-merged value), so the history is exact and values
// are computed lazily, once, on first use.
//
// Rules (docs/metadata.md has examples, and says where BitBake differs):
//  1. An assignment applies only when all its override names are active.
//  2. An `unset` cancels every assignment before it (weaker level, or earlier
//     at its level) to the variable, or to its override-specific value.
//  3. Among the override-specific values (`V:a`, `V:a:b`), the most specific
//     one wins (see compareSpecificity) and replaces the variable's own value;
//     its own appends and prepends apply to it. Failing one, the last plain
//     `set` or `immediate` by level then file order; failing that, the last
//     `default`.
//  4. Then every applying `append` and `prepend` of the variable, in order.
//  5. The result is expanded, then every applying `remove` (its argument
//     expanded too) drops words from the expanded value.

export type Effect = 'final' | 'overridden' | 'inactive' | 'ignored' | 'applied' | 'cancelled';

export interface HistoryEntry {
  readonly assignment: Assignment;
  readonly effect: Effect;
}

interface Computed {
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
  /** The text before expansion, once asked for. */
  raw?: string;
  /** The expanded value, once asked for (kept here, not in a second map: a parse holds a million of these). */
  value?: string;
}

interface Context {
  readonly where: string;
  readonly loc?: SourceLocation;
  /** The variable whose value is being expanded, to find the assignment that holds a bad reference. */
  readonly variable?: string;
}

const targetKey = (a: Assignment): string => (a.target.length === 1 ? a.target[0] : [...a.target].sort().join(':'));

interface TargetValue {
  readonly names: readonly string[];
  set?: Assignment;
  weak?: Assignment;
  edits?: Assignment[];
  removes?: Assignment[];
}

export class DataStore {
  private readonly byName = new Map<string, Assignment[]>();
  private readonly computed = new Map<string, Computed>();
  private readonly rank: Map<string, number>;
  private readonly immediates = new Map<Assignment, string>();

  /** `assignments` in level order then file order; `overrides` weakest first. */
  constructor(private readonly assignments: readonly Assignment[], readonly overrides: readonly string[]) {
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
    const c = this.compute(name);
    return c.winner !== undefined || c.edits !== undefined;
  }

  private applies(a: Assignment): boolean {
    for (const o of a.overrides) if (!this.rank.has(o)) return false;
    return true;
  }

  // Called for every variable of every recipe, so the common case (no
  // override-specific values, no unset) makes one pass and allocates little;
  // the history is only built when someone asks for it.
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
    let cancelled: Set<Assignment> | undefined;
    for (let u = 0; u < all.length; u++) {
      const un = all[u];
      if (un.op !== 'unset' || !this.applies(un)) continue;
      const key = un.target.length ? targetKey(un) : undefined;
      for (let i = 0; i < u; i++) if (key === undefined || (all[i].target.length && targetKey(all[i]) === key)) (cancelled ??= new Set()).add(all[i]);
    }
    let plain: Assignment | undefined;
    let weak: Assignment | undefined;
    let edits: Assignment[] | undefined;
    let removes: Assignment[] | undefined;
    let targets: Map<string, TargetValue> | undefined;
    for (const a of all) {
      if (a.op === 'unset' || !this.applies(a) || cancelled?.has(a)) continue;
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
        if (!best || compareSpecificity(t.names, best[1].names, this.rank) > 0) best = entry;
      }
      if (best) {
        const t = best[1];
        chosen = best[0];
        winner = t.set ?? t.weak;
        if (t.edits) edits = [...t.edits, ...(edits ?? [])];
        if (t.removes) removes = [...t.removes, ...(removes ?? [])];
      }
    }
    const result: Computed = { all, winner, edits, removes, chosen, cancelled };
    this.computed.set(name, result);
    return result;
  }

  private rawOf(c: Computed): string | undefined {
    if (c.raw !== undefined || (c.winner === undefined && c.edits === undefined)) return c.raw;
    let value = c.winner === undefined ? '' : c.winner.op === 'immediate' ? this.immediateValue(c.winner) : c.winner.value;
    if (c.edits) for (const e of c.edits) value = e.op === 'append' ? value + e.value : e.value + value;
    return (c.raw = value);
  }

  /** The value before `${}` expansion and before any `remove` (which works on the expanded value), or undefined when nothing sets it. */
  raw(name: string): string | undefined {
    return this.rawOf(this.compute(name));
  }

  /**
   * Everything that decides the value, unexpanded: the raw value, and the
   * arguments of the removes that apply. Task signatures record this, so a
   * changed `:remove` changes the signature too.
   */
  unexpanded(name: string): string | undefined {
    const c = this.compute(name);
    const raw = this.rawOf(c);
    return c.removes ? JSON.stringify({ value: raw ?? '', remove: c.removes.map((r) => r.value) }) : raw;
  }

  /**
   * The value an `immediate` assignment holds: its text expanded with only
   * the assignments before it (weaker levels, and earlier lines of its own
   * level), like BitBake's `:=`. `${` in the result is kept as written text.
   */
  immediateValue(a: Assignment): string {
    let v = this.immediates.get(a);
    if (v === undefined) {
      const sorted = [...this.assignments].sort((x, y) => x.level - y.level);
      const before = new DataStore(sorted.slice(0, sorted.indexOf(a)), this.overrides);
      v = before.expand(a.value, { where: `immediate assignment ${keyOf(a)}`, loc: a.loc }).replaceAll('${', () => '$${');
      checkImmediateReads(a, before.referencesOf(a.value), (n) => this.byName.get(n) ?? [], (x) => this.applies(x));
      this.immediates.set(a, v);
    }
    return v;
  }

  history(name: string): HistoryEntry[] {
    const { all, winner, chosen, cancelled } = this.compute(name);
    return all.map((a): HistoryEntry => {
      if (!this.applies(a)) return { assignment: a, effect: 'inactive' };
      if (cancelled?.has(a)) return { assignment: a, effect: 'cancelled' };
      if (a === winner) return { assignment: a, effect: 'final' };
      if (a.op === 'unset') return { assignment: a, effect: 'applied' };
      if (a.target.length && targetKey(a) !== chosen) return { assignment: a, effect: a.op === 'default' ? 'ignored' : 'overridden' };
      if (a.op === 'set' || a.op === 'immediate') return { assignment: a, effect: 'overridden' };
      if (a.op === 'default') return { assignment: a, effect: 'ignored' };
      return { assignment: a, effect: 'applied' };
    });
  }

  /**
   * Every variable `text` refers to, directly or through other variables'
   * values (and their removes), sorted. Task signatures record exactly these
   * (with their values), so a change to any other variable does not touch the task.
   */
  referencesOf(text: string): string[] {
    const found = new Set<string>();
    const visit = (t: string) =>
      forEachReference(t, (inner) => {
        let ref = inner;
        if (inner.includes('${')) {
          visit(inner);
          try {
            ref = this.expandText(inner, [], { where: 'reference' });
          } catch {
            return; // the expansion itself reports it, with its location
          }
        }
        if (!REFERENCE.test(ref) || found.has(ref)) return;
        found.add(ref);
        const c = this.compute(ref);
        try {
          const raw = this.rawOf(c);
          if (raw !== undefined) visit(raw);
        } catch {
          // an immediate value that cannot be expanded: reported when used
        }
        for (const r of c.removes ?? []) visit(r.value);
      });
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
  expand(text: string, context: { where: string; loc?: SourceLocation }): string {
    return this.expandText(text, [], context);
  }

  private expandVar(name: string, chain: string[]): string {
    const c = this.compute(name);
    if (c.value !== undefined) return c.value;
    if (chain.includes(name)) throw new UserError(this.cycle([...chain.slice(chain.indexOf(name)), name]));
    if (c.all.some((x) => x.op === 'unset')) checkUnsets(c.all, (x) => this.applies(x));
    const raw = this.rawOf(c);
    if (raw === undefined) throw new UserError(diag('var-undefined', `variable '${name}' is not set`));
    chain.push(name);
    let value = this.expandText(raw, chain, { where: `variable ${name}`, loc: c.winner?.loc, variable: name });
    if (c.removes) {
      const words = new Set<string>();
      for (const r of c.removes) {
        const arg = this.expandText(r.value, chain, { where: `${keyOf(r)}`, loc: r.loc });
        for (const w of arg.split(/\s+/)) if (w) words.add(w);
      }
      value = removeWords(value, words);
    }
    chain.pop();
    c.value = value;
    return value;
  }

  // A hand-written scan rather than a regex replace: this runs for every
  // value of every recipe, and the parse benchmark spends its time here.
  private expandText(text: string, chain: string[], context: Context): string {
    let at = text.indexOf('${');
    if (at < 0) return text;
    let out = '';
    let done = 0;
    while (at >= 0) {
      const close = closingBrace(text, at);
      if (close < 0) break;
      if (at > 0 && text.charCodeAt(at - 1) === 36 /* $ */) {
        // `$${name}` is a literal `${name}` for the shell.
        out += text.slice(done, at - 1) + text.slice(at, close + 1);
      } else {
        out += text.slice(done, at) + this.expandRef(text.slice(at + 2, close), chain, context);
      }
      done = close + 1;
      at = text.indexOf('${', done);
    }
    return out + text.slice(done);
  }

  private expandRef(inner: string, chain: string[], context: Context): string {
    const ref = inner.includes('${') ? this.expandText(inner, chain, context) : inner;
    if (!REFERENCE.test(ref)) {
      const what = ref === inner ? `'\${${inner}}'` : `'\${${inner}}' names '${ref}', which`;
      throw new UserError(
        diag('var-reference', `${context.where}: ${what} is not a valid reference`, this.holder(context, inner), { hint: 'write $$\{...} for a literal \${...} in shell code' }),
      );
    }
    if (!this.has(ref)) {
      const through = ref === inner ? '' : ` (through \${${inner}})`;
      throw new UserError(
        diag('var-undefined', `${context.where} refers to \${${ref}}${through}, which is not set`, this.holder(context, inner), {
          hint: `set ${ref} in the recipe, a class, the machine or the distro; for a shell variable write $${ref} or $\${${ref}}`,
        }),
      );
    }
    return this.expandVar(ref, chain);
  }

  /** The assignment whose text holds `${inner}`: the location an expansion error points at. */
  private holder(context: Context, inner: string): SourceLocation | undefined {
    if (context.variable === undefined) return context.loc;
    return this.holderOf(context.variable, inner) ?? context.loc;
  }

  private holderOf(name: string, inner: string): SourceLocation | undefined {
    const c = this.compute(name);
    const written = '${' + inner + '}';
    const parts = [...(c.winner ? [c.winner] : []), ...(c.edits ?? []), ...(c.removes ?? [])];
    return (parts.find((a) => a.value.includes(written)) ?? parts[0])?.loc;
  }

  /** A reference cycle, with every link at the assignment that makes it. */
  private cycle(names: string[]) {
    const links = names.slice(0, -1).map((n, i) => ({ message: `${n} refers to \${${names[i + 1]}} here`, location: this.holderOf(n, names[i + 1]) }));
    return diag('var-cycle', `variable reference cycle: ${names.join(' -> ')}`, links[0].location, { related: links });
  }
}

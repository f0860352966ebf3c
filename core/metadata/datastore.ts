import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { keyOf, type Assignment } from './assignment.js';
import { checkImmediateReads, checkUnsets } from './bitbake-habits.js';
import { closingBrace, forEachReference, REFERENCE } from './references.js';
import { effectOf, removeWords, selectValue, type Effect, type Selection } from './value-rules.js';

export { directReferences } from './references.js';

// The datastore answers "what is VAR here, and why". It keeps every
// assignment (never a pre-merged value), so the history is exact and values
// are computed lazily, once, on first use.
//
// Which assignments make the value is decided in value-rules.ts; this file
// computes values lazily, expands `${}` references (value-rules.ts rule 5:
// removes work on the expanded value) and reports expansion errors at the
// assignment that holds the bad reference.

export type { Effect } from './value-rules.js';

export interface HistoryEntry {
  readonly assignment: Assignment;
  readonly effect: Effect;
}

interface Computed extends Selection {
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

export class DataStore {
  private readonly byName = new Map<string, Assignment[]>();
  private readonly computed = new Map<string, Computed>();
  private readonly rank: Map<string, number>;
  private readonly immediates = new Map<Assignment, string>();

  /** `assignments` in level order then file order; `overrides` weakest first. */
  constructor(
    private readonly assignments: readonly Assignment[],
    readonly overrides: readonly string[],
  ) {
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

  private compute(name: string): Computed {
    const cached = this.computed.get(name);
    if (cached) return cached;
    const result: Computed = selectValue(this.byName.get(name) ?? [], (a) => this.applies(a), this.rank);
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
      checkImmediateReads(
        a,
        before.referencesOf(a.value),
        (n) => this.byName.get(n) ?? [],
        (x) => this.applies(x),
      );
      this.immediates.set(a, v);
    }
    return v;
  }

  history(name: string): HistoryEntry[] {
    const selection = this.compute(name);
    return selection.all.map((a) => ({ assignment: a, effect: effectOf(a, selection, (x) => this.applies(x)) }));
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
        diag('var-reference', `${context.where}: ${what} is not a valid reference`, this.holder(context, inner), {
          hint: 'write $${...} for a literal ${...} in shell code',
        }),
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

import type { SourceLocation } from '../diagnostics/diagnostic.js';
import type { TaskPayload } from '../graph/plan.js';
import type { TaskGraph } from '../graph/task-graph.js';
import { explainChange, type Change } from './explain.js';
import type { SignatureRecord } from './signature.js';

// Why a task would run in the next build, as data: `strata why`'s analysis.
// It reads what the run queue's plan decided for each task and the records
// it signed, against the records in the stamps; core/cli/why.ts words it.

export type RebuildReason =
  | { readonly kind: 'up-to-date' }
  /** The cache holds an output made from the same inputs. */
  | { readonly kind: 'restore' }
  /** No stamp: the task never finished in this build folder. */
  | { readonly kind: 'never-ran' }
  /** Its own inputs are known: what changed since its stamp (none: its output is not recorded). */
  | { readonly kind: 'changed'; readonly changes: readonly Change[] }
  /**
   * Its inputs are not known yet: tasks it waits for must run first
   * (`waitsFor`), and `causes` are the first tasks down that chain whose own
   * inputs are known and changed, with their reasons.
   */
  | { readonly kind: 'waits'; readonly waitsFor: readonly string[]; readonly causes: readonly { task: string; reason: RebuildReason }[] };

/** What the analysis reads: the graph, the run queue's plan and signatures, and the stamps. */
export interface RebuildFacts {
  readonly graph: TaskGraph<TaskPayload>;
  /** What the queue's plan decided for a task (RunQueue.plans). */
  decided(key: string): 'stamped' | 'restore' | 'run' | undefined;
  /** The record the queue signed for a task whose inputs are known (RunQueue.signatures). */
  signed(key: string): SignatureRecord | undefined;
  /** The record in the task's stamp, if it has one. */
  stamped(key: string): Promise<SignatureRecord | undefined>;
}

/** Where the final value of a variable of the task's recipe is set (image tasks have no recipe history). */
function locator(payload: TaskPayload): ((name: string) => SourceLocation | undefined) | undefined {
  if (!('recipe' in payload)) return undefined;
  const data = payload.recipe.data;
  return (name) => data.history(name).find((h) => h.effect === 'final')?.assignment.loc;
}

/** Answers, per task key, why it would run; answers are remembered, so asking about many tasks walks each chain once. */
export class RebuildReasons {
  private readonly known = new Map<string, Promise<RebuildReason>>();

  constructor(private readonly facts: RebuildFacts) {}

  of(key: string): Promise<RebuildReason> {
    let r = this.known.get(key);
    if (!r) this.known.set(key, (r = this.compute(key)));
    return r;
  }

  private async compute(key: string): Promise<RebuildReason> {
    const { facts } = this;
    const node = facts.graph.get(key);
    const decided = facts.decided(key);
    if (decided === 'stamped') return { kind: 'up-to-date' };
    if (decided === 'restore') return { kind: 'restore' };
    const before = await facts.stamped(key);
    if (!before) return { kind: 'never-ran' };
    const signed = facts.signed(key);
    if (signed) return { kind: 'changed', changes: explainChange(before, signed, locator(node.payload)) };
    // Name the tasks it waits for, and the tasks where the change really
    // is: the first ones in the chain whose own inputs are known and changed.
    const waitsFor = node.deps.filter((d) => facts.decided(d) === 'run');
    const roots = new Set<string>();
    const seen = new Set<string>();
    const walk = async (k: string): Promise<void> => {
      if (seen.has(k)) return;
      seen.add(k);
      const known = facts.signed(k);
      const stamp = await facts.stamped(k);
      if (known && (!stamp || explainChange(stamp, known).some((c) => c.kind !== 'dependency'))) roots.add(k);
      else for (const d of facts.graph.get(k).deps) if (facts.decided(d) === 'run') await walk(d);
    };
    for (const d of waitsFor) await walk(d);
    const causes = [];
    for (const task of [...roots].sort()) causes.push({ task, reason: await this.of(task) });
    return { kind: 'waits', waitsFor, causes };
  }
}

import { existsSync } from 'node:fs';
import { filter, map, type Observable } from 'rxjs';
import type { GraphNode, TaskGraph } from '../graph/task-graph.js';
import { dependentsOf, topologicalOrder, upstreamMatching } from '../graph/task-graph.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { PathRoots } from '../signature/normalize.js';
import { treeHashOf } from '../signature/output-hash.js';
import { signatureOf, signatureRecord, type SignatureRecord } from '../signature/signature.js';
import { DONE_STATES, INTERNAL_STATES, type BuildSummary, type PublishedState, type TaskEvent, type TaskState, type Transition } from './events.js';
import { criticalPathOrder, shuffledOrder, type ReadyOrder } from './ready-order.js';
import { saveOrWarn, type TaskCache } from './task-cache.js';
import { TaskFailed } from './task-failed.js';
import type { Stamp, TaskStamps } from './task-stamps.js';
import { TaskStates } from './task-states.js';
import type { Tasks } from './tasks.js';

// The run queue: an explicit state machine (task-states.ts) over the task
// graph, in four steps.
//
// plan: before anything runs, in dependency order, each task whose inputs
// are all known gets its signature, and is either up to date (its stamp has
// that signature), restorable (the cache holds its output), or must run.
// Only what the targets need is then done: a task that will be restored
// does not need the tasks before it, so a warm cache builds an image
// without compiling anything.
//
// ready: a needed task becomes ready when everything it waits for is done
// (or at once when it is up to date or restorable); ready tasks start best
// first (ready-order.ts), at most `jobs` at a time.
//
// start: its signature is computed again from what its dependencies really
// produced (hash equivalence: a dependency that re-ran and made the same
// bytes changes nothing downstream); then it is found up to date, restored,
// or run.
//
// finish: its stamp is written and its output stored, and the tasks waiting
// for it are looked at again. A failure stops new starts, unless keepGoing
// (-k), when only the tasks behind the failure are left.

export type Plan = 'stamped' | 'restore' | 'run';

export interface RunQueueOptions {
  readonly jobs: number;
  /** `-k`: after a failure, keep starting tasks that do not depend on it. */
  readonly keepGoing?: boolean;
  readonly cache?: TaskCache;
  /** Absolute roots (build folder, downloads, layers) replaced by names in signatures. */
  readonly roots: PathRoots;
  /** `--shuffle=SEED`: start ready tasks in an order drawn from the seed instead of longest chain first. */
  readonly shuffle?: number;
  readonly clock?: Clock;
}

type Signed = { signature: string; record: SignatureRecord };

export class RunQueue<T> {
  private readonly states: TaskStates;
  /** Every change of state, internal ones included. */
  readonly transitions: Observable<Transition>;
  /** The changes reporters draw (pending, running and the ends), one per published transition. */
  readonly events: Observable<TaskEvent>;
  /** Signature and record of every task whose inputs are known. */
  readonly signatures = new Map<string, Signed>();
  /** What plan() decided for each task; read by `strata why`. */
  readonly plans = new Map<string, Plan>();
  /** What each finished task produced: its output hash, or its signature when its output is not captured. */
  private readonly outputs = new Map<string, string>();
  private readonly needed = new Set<string>();
  /** How long each task took when it last ran, from its stamp. */
  private readonly lastDuration = new Map<string, number>();
  private readonly dependents: Map<string, string[]>;
  private readonly clock: Clock;
  private readonly running = new Set<Promise<void>>();
  private readonly failures: { key: string; message: string }[] = [];
  private stopping = false;
  private order?: ReadyOrder;

  constructor(
    private readonly graph: TaskGraph<T>,
    private readonly tasks: Tasks<T>,
    private readonly stamps: TaskStamps,
    private readonly options: RunQueueOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.states = new TaskStates(graph.nodes.values(), this.clock);
    this.transitions = this.states.transitions.asObservable();
    this.events = this.transitions.pipe(
      filter((t) => !INTERNAL_STATES.includes(t.to)),
      map(({ id, key, to, at, message, durationMs }) => ({ id, key, state: to as PublishedState, at, message, durationMs })),
    );
    this.dependents = dependentsOf(graph);
  }

  /** The signature of a task from its dependencies' outputs, or undefined while one is unknown. */
  private async sign(node: GraphNode<T>, depOutputs: ReadonlyMap<string, string>): Promise<Signed | undefined> {
    const deps: Record<string, string> = {};
    for (const d of node.deps) {
      const out = depOutputs.get(d);
      if (out === undefined) return undefined;
      deps[d] = out;
    }
    const record = signatureRecord(node.key, await this.tasks.inputs(node), deps, this.options.roots);
    const signed = { signature: signatureOf(record), record };
    this.signatures.set(node.key, signed);
    return signed;
  }

  /**
   * A stamp vouches for outputs on disk: it counts only while they are still
   * there. A captured output (install's tree, a deployed image) must exist;
   * a task that only changed its work folder must find the same work folder
   * (the id in its marker file), not one deleted and made again.
   */
  private async stillThere(node: GraphNode<T>, stamp: Stamp): Promise<boolean> {
    const paths = this.tasks.outputs(node);
    if (paths) return paths.every((p) => existsSync(p));
    return stamp.workdir !== undefined && stamp.workdir === (await this.tasks.workdirId(node));
  }

  /** Decides, as far as it can before running anything, what each task will be. */
  async plan(): Promise<void> {
    const expected = new Map<string, string>();
    for (const key of topologicalOrder(this.graph)) {
      const node = this.graph.get(key);
      const captures = this.tasks.outputs(node) !== undefined;
      const stamp = await this.stamps.read(node.id);
      if (stamp?.durationMs !== undefined) this.lastDuration.set(key, stamp.durationMs);
      // A task whose inputs fail is planned to run: it fails when it would
      // start, as a task failure -k can go past, not as a crash of the plan.
      const signed = await this.sign(node, expected).catch((e: unknown) => {
        if (e instanceof TaskFailed) return undefined;
        throw e;
      });
      let plan: Plan = 'run';
      if (signed) {
        const hit = stamp?.signature === signed.signature && (await this.stillThere(node, stamp)) ? stamp : undefined;
        const cached = !hit && captures ? await this.options.cache?.lookup(signed.signature) : undefined;
        if (hit) {
          plan = 'stamped';
          expected.set(key, hit.output ?? signed.signature);
        } else if (cached) {
          plan = 'restore';
          expected.set(key, cached.output);
        } else if (!captures) expected.set(key, signed.signature);
      }
      this.plans.set(key, plan);
    }
    // The targets are the tasks nothing else waits for.
    for (const key of this.graph.nodes.keys()) if (!this.dependents.has(key)) this.need(key);
  }

  /** Marks a task as needed, and, when it must run, everything it waits for; returns the tasks newly needed. */
  private need(key: string): string[] {
    const added: string[] = [];
    const stack = [key];
    while (stack.length) {
      const k = stack.pop()!;
      if (this.needed.has(k)) continue;
      this.needed.add(k);
      added.push(k);
      if (this.plans.get(k) === 'run') stack.push(...this.graph.get(k).deps);
    }
    return added;
  }

  private isDone(key: string): boolean {
    return DONE_STATES.includes(this.states.get(key));
  }

  /** pending → ready, when the task is needed and can start now. */
  private consider(key: string): void {
    const node = this.graph.get(key);
    if (this.states.get(key) !== 'pending' || !this.needed.has(key)) return;
    if (this.plans.get(key) !== 'run' || node.deps.every((d) => this.isDone(d))) this.states.move(node, 'ready');
  }

  /** The tasks that may start now, best first. */
  ready(): GraphNode<T>[] {
    return [...this.states.inState('ready')].sort(this.order).map((k) => this.graph.get(k));
  }

  /** Takes a ready task and handles it in the background; a bug (any exception other than a task failure) rejects the run. */
  private start(node: GraphNode<T>, signal: AbortSignal): void {
    const t0 = this.clock.now();
    this.states.move(node, 'starting');
    const p = this.attempt(node, signal, t0).catch((caught) => {
      const failed = caught instanceof TaskFailed ? caught : this.tasks.failure?.(caught, node);
      if (!failed) throw caught;
      this.failures.push({ key: node.key, message: failed.message });
      if (!this.options.keepGoing) this.stopping = true;
      this.states.move(node, 'failed', { message: failed.message, durationMs: this.clock.now() - t0 });
    });
    this.running.add(p);
    const forget = () => this.running.delete(p);
    p.then(forget, forget);
  }

  /** Up to date, restored, or run: whichever the task's signature allows now. */
  private async attempt(node: GraphNode<T>, signal: AbortSignal, t0: number): Promise<void> {
    // A task planned to run has every dependency done now, so its signature
    // comes from what they really produced; a task planned as up to date or
    // restorable keeps its planned signature (what it waits for may be skipped).
    const planned = this.plans.get(node.key)!;
    const before = this.signatures.get(node.key)?.signature;
    const signed = planned === 'run' ? (await this.sign(node, this.outputs))! : this.signatures.get(node.key)!;
    // The plan read the stamp already; read it again only for a signature
    // the plan could not know (hash equivalence may match it).
    const stamp = planned === 'run' && signed.signature === before ? undefined : await this.stamps.read(node.id);
    if (stamp?.signature === signed.signature && (await this.stillThere(node, stamp))) {
      this.outputs.set(node.key, stamp.output ?? signed.signature);
      return this.finished(node, 'cached');
    }
    const paths = this.tasks.outputs(node);
    if (paths && this.options.cache) {
      this.states.move(node, 'running', { message: 'restoring from the cache' });
      const restored = await this.options.cache.restore(signed.signature, paths);
      if (restored) {
        await this.tasks.afterRestore?.(node);
        const durationMs = this.clock.now() - t0;
        await this.stamps.write(node.id, { ...signed, output: restored.output, finished: this.timestamp(), restored: true });
        this.outputs.set(node.key, restored.output);
        return this.finished(node, 'restored', { durationMs });
      }
    }
    if (planned !== 'run') {
      // Planned as up to date or restorable, but that did not hold (a
      // corrupt cache object, a removed stamp): it runs after all, and so
      // needs everything it waits for.
      this.plans.set(node.key, 'run');
      for (const d of node.deps) for (const k of this.need(d)) this.consider(k);
      if (!node.deps.every((d) => this.isDone(d))) return this.states.move(node, 'pending', { message: 'must run: its cached output was not usable' });
      await this.sign(node, this.outputs);
    }
    if (this.states.get(node.key) === 'starting') this.states.move(node, 'running');
    await this.stamps.clear(node.id);
    await this.tasks.run(node, signal);
    await this.finish(node, this.signatures.get(node.key)!, paths, t0);
  }

  /** After a task ran: its stamp, its output in the cache, and the tasks waiting for it. */
  private async finish(node: GraphNode<T>, signed: Signed, paths: readonly string[] | undefined, t0: number): Promise<void> {
    const durationMs = this.clock.now() - t0;
    const output = paths ? treeHashOf([...paths]) : undefined;
    const workdir = await this.tasks.workdirId(node);
    await this.stamps.write(node.id, { ...signed, output, workdir, finished: this.timestamp(), durationMs });
    this.outputs.set(node.key, output ?? signed.signature);
    const warning =
      paths && output ? await saveOrWarn(this.options.cache, node.key, signed.signature, { record: signed.record, output, paths, node: node.key }) : undefined;
    this.finished(node, 'succeeded', { durationMs: this.clock.now() - t0, ...(warning ? { message: warning } : {}) });
  }

  /** A task's work is there: the tasks waiting for it may be ready now. */
  private finished(node: GraphNode<T>, state: TaskState, extra: { message?: string; durationMs?: number } = {}): void {
    this.states.move(node, state, extra);
    for (const k of this.dependents.get(node.key) ?? []) this.consider(k);
  }

  private timestamp(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async run(signal: AbortSignal): Promise<BuildSummary> {
    const started = this.clock.now();
    await this.plan();
    this.order = this.options.shuffle !== undefined ? shuffledOrder(this.options.shuffle) : criticalPathOrder(this.graph, this.lastRunWeights());
    for (const key of this.graph.nodes.keys()) this.consider(key);
    while (true) {
      if (signal.aborted) this.stopping = true;
      if (!this.stopping) for (const node of this.ready().slice(0, Math.max(0, this.options.jobs - this.running.size))) this.start(node, signal);
      if (this.running.size === 0) break;
      await Promise.race(this.running);
    }
    return this.settle(started);
  }

  /** Weights for the critical path: last time's durations; a task never timed counts as the average one. */
  private lastRunWeights(): ((key: string) => number) | undefined {
    if (!this.lastDuration.size) return undefined;
    const known = [...this.lastDuration.values()];
    const average = Math.max(1, known.reduce((a, b) => a + b, 0) / known.length);
    return (key) => Math.max(1, this.lastDuration.get(key) ?? average);
  }

  /** Ends every task not started: skipped when not needed, cancelled when the build stopped before it. */
  private settle(started: number): BuildSummary {
    for (const key of [...this.states.inState('pending'), ...this.states.inState('ready')]) {
      this.states.move(this.graph.get(key), this.needed.has(key) ? 'cancelled' : 'skipped');
    }
    this.states.close();
    const count = (s: TaskState) => this.states.inState(s).size;
    const blocked = this.blockedBy();
    return {
      ran: count('succeeded') + count('failed'),
      cached: count('cached'),
      restored: count('restored'),
      skipped: count('skipped'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      durationMs: this.clock.now() - started,
      failures: this.failures.map((f) => ({ ...f, blocked: (blocked.get(f.key) ?? []).sort() })),
    };
  }

  /** For each failed task, the cancelled tasks that wait for it, directly or not. */
  private blockedBy(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (!this.failures.length) return out;
    const upstream = upstreamMatching(this.graph, this.states.inState('cancelled'), (k) => this.states.get(k) === 'failed');
    for (const [key, failed] of upstream) for (const f of failed) out.set(f, [...(out.get(f) ?? []), key]);
    return out;
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { TaskFailed, workdirOf, type BuildContext, type TaskImplementation } from '../build/context.js';
import type { Stamp, StampStore } from '../build/stamps.js';
import type { TaskPayload } from '../graph/plan.js';
import { criticalPathLengths, topologicalOrder, type GraphNode, type TaskGraph } from '../graph/task-graph.js';
import type { PathRoots } from '../signature/normalize.js';
import { signatureOf, signatureRecord, type SignatureRecord } from '../signature/signature.js';
import { treeHashOf } from '../signature/output-hash.js';
import type { BuildSummary, TaskEvent, TaskState } from './events.js';
import { saveOrWarn, type TaskCache } from './task-cache.js';
import { diskFull } from '../build/disk-full.js';
import { makeWorkdir, workdirId } from '../build/workdir-id.js';

// The run queue: an explicit state machine over the task graph.
//
// Before anything runs, a plan: in dependency order, each task whose inputs
// are all known gets its signature, and is either up to date (its stamp has
// that signature), restorable (the cache holds its output), or must run.
// Only what the targets need is then done: a task that will be restored
// does not need the tasks before it, so a warm cache builds an image
// without compiling anything.
//
// Then the loop: a task becomes ready when everything it waits for is
// done; its signature is computed again from what its dependencies really
// produced (hash equivalence: a dependency that re-ran and made the same
// bytes changes nothing downstream); ready tasks start longest-chain-first,
// at most `jobs` at a time. A failure stops new starts, unless keepGoing
// (-k), when only the tasks behind the failure are left. Every transition
// is published on `events` for reporters.

export type Plan = 'stamped' | 'restore' | 'run';

export interface RunQueueOptions {
  readonly jobs: number;
  /** `-k`: after a failure, keep starting tasks that do not depend on it. */
  readonly keepGoing?: boolean;
  readonly cache?: TaskCache;
  /** Absolute roots (build folder, downloads, layers) replaced by names in signatures. */
  readonly roots: PathRoots;
}

export class RunQueue {
  readonly events = new Subject<TaskEvent>();
  private readonly state = new Map<string, TaskState>();
  /** Signature and record of every task whose inputs are known. */
  readonly signatures = new Map<string, { signature: string; record: SignatureRecord }>();
  /** What each finished task produced: its output hash, or its signature when its output is not captured. */
  private readonly outputs = new Map<string, string>();
  /** What plan() decided for each task; read by `strata why`. */
  readonly plans = new Map<string, Plan>();
  private readonly needed = new Set<string>();

  constructor(
    private readonly graph: TaskGraph<TaskPayload>,
    private readonly tasks: Record<TaskPayload['kind'], TaskImplementation>,
    private readonly ctx: BuildContext,
    private readonly stamps: StampStore,
    private readonly options: RunQueueOptions,
  ) {}

  private set(node: GraphNode<TaskPayload>, state: TaskState, extra: Partial<TaskEvent> = {}): void {
    this.state.set(node.key, state);
    this.events.next({ id: node.id, key: node.key, state, at: Date.now(), ...extra });
  }

  private captures(node: GraphNode<TaskPayload>): boolean {
    return this.tasks[node.payload.kind].outputs !== undefined;
  }

  /** The signature of a task from its dependencies' outputs, or undefined while one is unknown. */
  private async sign(
    node: GraphNode<TaskPayload>,
    depOutputs: ReadonlyMap<string, string>,
  ): Promise<{ signature: string; record: SignatureRecord } | undefined> {
    const deps: Record<string, string> = {};
    for (const d of node.deps) {
      const out = depOutputs.get(d);
      if (out === undefined) return undefined;
      deps[d] = out;
    }
    const record = signatureRecord(node.key, await this.tasks[node.payload.kind].inputs(node, this.ctx), deps, this.options.roots);
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
  private async stillThere(node: GraphNode<TaskPayload>, stamp: Stamp): Promise<boolean> {
    const impl = this.tasks[node.payload.kind];
    if (impl.outputs) return impl.outputs(node, this.ctx).every((p) => existsSync(p));
    return stamp.workdir !== undefined && stamp.workdir === (await workdirId(workdirOf(node, this.ctx)));
  }

  /** Decides, as far as it can before running anything, what each task will be. */
  async plan(): Promise<void> {
    const expected = new Map<string, string>();
    for (const key of topologicalOrder(this.graph)) {
      const node = this.graph.get(key);
      const signed = await this.sign(node, expected);
      let plan: Plan = 'run';
      if (signed) {
        const stamp = await this.stamps.read(node.id);
        const hit = stamp?.signature === signed.signature && (await this.stillThere(node, stamp)) ? stamp : undefined;
        const cached = !hit && this.captures(node) ? await this.options.cache?.lookup(signed.signature) : undefined;
        if (hit) {
          plan = 'stamped';
          expected.set(key, hit.output ?? signed.signature);
        } else if (cached) {
          plan = 'restore';
          expected.set(key, cached.output);
        } else if (!this.captures(node)) expected.set(key, signed.signature);
      }
      this.plans.set(key, plan);
    }
    // The targets are the tasks nothing else waits for.
    const waitedFor = new Set([...this.graph.nodes.values()].flatMap((n) => n.deps));
    for (const key of this.graph.nodes.keys()) if (!waitedFor.has(key)) this.need(key);
  }

  /** Marks a task as needed, and, when it must run, everything it waits for. */
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

  async run(signal: AbortSignal): Promise<BuildSummary> {
    const started = Date.now();
    await this.plan();
    const priority = criticalPathLengths(this.graph);
    const nodes = [...this.graph.nodes.values()];
    for (const n of nodes) this.state.set(n.key, 'pending');
    const failures: { key: string; message: string }[] = [];
    const running = new Set<Promise<void>>();
    let stopping = false;

    const madeDirs = new Set<string>();
    const DONE: readonly TaskState[] = ['succeeded', 'cached', 'restored'];
    const isDone = (k: string) => DONE.includes(this.state.get(k)!);
    const isReady = (n: GraphNode<TaskPayload>) =>
      this.state.get(n.key) === 'pending' && this.needed.has(n.key) && (this.plans.get(n.key) !== 'run' || n.deps.every(isDone));
    // Candidates for starting, kept up to date as tasks finish, so each
    // step looks at the few tasks that may have become ready, not at all.
    const dependents = new Map<string, string[]>();
    for (const n of nodes) for (const d of n.deps) dependents.set(d, [...(dependents.get(d) ?? []), n.key]);
    const candidates = new Set<string>(nodes.filter(isReady).map((n) => n.key));
    const consider = (key: string) => {
      if (isReady(this.graph.get(key))) candidates.add(key);
    };
    const done = this.events.subscribe((e) => {
      if (DONE.includes(e.state)) for (const k of dependents.get(e.key) ?? []) consider(k);
    });

    const finish = async (node: GraphNode<TaskPayload>, signed: { signature: string; record: SignatureRecord }, t0: number) => {
      const impl = this.tasks[node.payload.kind];
      const paths = impl.outputs?.(node, this.ctx);
      const output = paths ? treeHashOf(paths) : undefined;
      const workdir = await workdirId(workdirOf(node, this.ctx));
      await this.stamps.write(node.id, { signature: signed.signature, record: signed.record, output, workdir, finished: new Date().toISOString() });
      this.outputs.set(node.key, output ?? signed.signature);
      const warning =
        paths && output
          ? await saveOrWarn(this.options.cache, node.key, signed.signature, { record: signed.record, output, paths, node: node.key })
          : undefined;
      this.set(node, 'succeeded', { durationMs: Date.now() - t0, ...(warning ? { message: warning } : {}) });
    };

    /** Up to date, restored, or run: whichever the task's signature allows now. */
    const start = (node: GraphNode<TaskPayload>) => {
      const t0 = Date.now();
      this.state.set(node.key, 'running');
      // Published once per start, whether the task is then restored or run.
      let announced = false;
      const announce = (extra: Partial<TaskEvent> = {}) => {
        if (!announced) this.set(node, 'running', extra);
        announced = true;
      };
      const p = (async () => {
        try {
          // A task planned to run has every dependency done now, so its
          // signature comes from what they really produced; a task planned
          // as up to date or restorable keeps its planned signature (what it
          // waits for may be skipped).
          const planned = this.plans.get(node.key)!;
          const before = this.signatures.get(node.key)?.signature;
          const signed = planned === 'run' ? (await this.sign(node, this.outputs))! : this.signatures.get(node.key)!;
          // The plan read the stamp already; read it again only for a
          // signature the plan could not know (hash equivalence may match it).
          const stamp: Stamp | undefined = planned === 'run' && signed.signature === before ? undefined : await this.stamps.read(node.id);
          if (stamp?.signature === signed.signature && (await this.stillThere(node, stamp))) {
            this.outputs.set(node.key, stamp.output ?? signed.signature);
            this.set(node, 'cached');
            return;
          }
          const impl = this.tasks[node.payload.kind];
          if (impl.outputs && this.options.cache) {
            announce({ message: 'restoring from the cache' });
            const restored = await this.options.cache.restore(signed.signature, impl.outputs(node, this.ctx));
            if (restored) {
              await impl.afterRestore?.(node, this.ctx);
              await this.stamps.write(node.id, {
                signature: signed.signature,
                record: signed.record,
                output: restored.output,
                finished: new Date().toISOString(),
                restored: true,
              });
              this.outputs.set(node.key, restored.output);
              this.set(node, 'restored', { durationMs: Date.now() - t0 });
              return;
            }
          }
          if (planned !== 'run') {
            // Planned as up to date or restorable, but that did not hold (a
            // corrupt cache object, a removed stamp): it runs after all, and
            // so needs everything it waits for.
            this.plans.set(node.key, 'run');
            for (const d of node.deps) this.need(d).forEach(consider);
            if (!node.deps.every(isDone)) {
              this.set(node, 'pending', { message: 'must run: its cached output was not usable' });
              announced = false;
              return;
            }
            await this.sign(node, this.outputs);
          }
          const now = this.signatures.get(node.key)!;
          announce();
          const workdir = workdirOf(node, this.ctx);
          if (!madeDirs.has(workdir)) {
            await makeWorkdir(workdir);
            madeDirs.add(workdir);
          }
          await this.stamps.clear(node.id);
          await impl.run({ node, ctx: this.ctx, workdir, log: join(workdir, `log.${node.id.task}`), signal });
          await finish(node, now, t0);
        } catch (caught) {
          const e = diskFull(caught, workdirOf(node, this.ctx)) ?? caught;
          if (!(e instanceof TaskFailed) && !(e instanceof Error && 'diagnostics' in e)) throw e;
          const message = e instanceof Error ? e.message : String(e);
          failures.push({ key: node.key, message });
          if (!this.options.keepGoing) stopping = true;
          this.set(node, 'failed', { message, durationMs: Date.now() - t0 });
        }
      })();
      running.add(p);
      // A bug (any other exception) still rejects `p`, which the race below rethrows.
      const forget = () => running.delete(p);
      p.then(forget, forget);
    };

    while (true) {
      if (signal.aborted) stopping = true;
      if (!stopping) {
        const ready = [...candidates]
          .map((k) => this.graph.get(k))
          .filter(isReady)
          .sort((a, b) => priority.get(b.key)! - priority.get(a.key)! || a.key.localeCompare(b.key));
        for (const node of ready.slice(0, Math.max(0, this.options.jobs - running.size))) {
          candidates.delete(node.key);
          start(node);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    done.unsubscribe();
    let cancelled = 0;
    let skipped = 0;
    for (const n of nodes) {
      if (this.state.get(n.key) !== 'pending') continue;
      if (this.needed.has(n.key)) {
        this.set(n, 'cancelled');
        cancelled++;
      } else {
        this.set(n, 'skipped');
        skipped++;
      }
    }
    this.events.complete();
    const count = (s: TaskState) => [...this.state.values()].filter((x) => x === s).length;
    return {
      ran: count('succeeded') + count('failed'),
      cached: count('cached'),
      restored: count('restored'),
      skipped,
      failed: count('failed'),
      cancelled,
      durationMs: Date.now() - started,
      failures,
    };
  }
}

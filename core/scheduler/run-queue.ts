import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { TaskFailed, workdirOf, type BuildContext, type TaskImplementation } from '../build/context.js';
import type { StampStore } from '../build/stamps.js';
import type { TaskPayload } from '../graph/plan.js';
import { criticalPathLengths, topologicalOrder, type GraphNode, type TaskGraph } from '../graph/task-graph.js';
import { signatureOf, TASK_FORMAT, type SignatureRecord } from '../signature/signature.js';
import type { BuildSummary, TaskEvent, TaskState } from './events.js';

// The run queue: an explicit state machine over the task graph. A task
// becomes ready when everything it waits for succeeded or was up to date;
// ready tasks start longest-chain-first, at most `jobs` at a time; each
// transition is published on `events` for reporters to draw. A failure stops
// new starts, unless keepGoing (-k), when only the tasks that depend on the
// failure are left unstarted.

export class RunQueue {
  readonly events = new Subject<TaskEvent>();
  private readonly state = new Map<string, TaskState>();
  readonly signatures = new Map<string, { signature: string; record: SignatureRecord }>();

  constructor(
    private readonly graph: TaskGraph<TaskPayload>,
    private readonly tasks: Record<TaskPayload['kind'], TaskImplementation>,
    private readonly ctx: BuildContext,
    private readonly stamps: StampStore,
    private readonly jobs: number,
    /** `-k`: after a failure, keep starting tasks that do not depend on it. */
    private readonly keepGoing = false,
  ) {}

  private set(node: GraphNode<TaskPayload>, state: TaskState, extra: Partial<TaskEvent> = {}): void {
    this.state.set(node.key, state);
    this.events.next({ id: node.id, key: node.key, state, at: Date.now(), ...extra });
  }

  /** Signatures of every task, dependencies first; inputs never depend on outputs. */
  async computeSignatures(): Promise<void> {
    for (const key of topologicalOrder(this.graph)) {
      const node = this.graph.get(key);
      const deps = Object.fromEntries(node.deps.map((d) => [d, this.signatures.get(d)!.signature]));
      const record: SignatureRecord = { task: key, format: TASK_FORMAT, inputs: await this.tasks[node.payload.kind].inputs(node, this.ctx), deps };
      this.signatures.set(key, { signature: signatureOf(record), record });
    }
  }

  async run(signal: AbortSignal): Promise<BuildSummary> {
    const started = Date.now();
    await this.computeSignatures();
    const priority = criticalPathLengths(this.graph);
    const nodes = [...this.graph.nodes.values()];
    for (const n of nodes) this.state.set(n.key, 'pending');
    const failures: { key: string; message: string }[] = [];
    const running = new Set<Promise<void>>();
    let stopping = false;

    const isDone = (k: string) => ['succeeded', 'cached'].includes(this.state.get(k)!);
    const readyNodes = () => nodes.filter((n) => this.state.get(n.key) === 'pending' && n.deps.every(isDone));

    const start = (node: GraphNode<TaskPayload>) => {
      const t0 = Date.now();
      this.set(node, 'running');
      const p = (async () => {
        const workdir = workdirOf(node, this.ctx);
        await mkdir(workdir, { recursive: true });
        await this.stamps.clear(node.id);
        const sig = this.signatures.get(node.key)!;
        try {
          await this.tasks[node.payload.kind].run({ node, ctx: this.ctx, workdir, log: join(workdir, `log.${node.id.task}`), signal });
          await this.stamps.write(node.id, { ...sig, finished: new Date().toISOString() });
          this.set(node, 'succeeded', { durationMs: Date.now() - t0 });
        } catch (e) {
          if (!(e instanceof TaskFailed) && !(e instanceof Error && 'diagnostics' in e)) throw e;
          const message = e instanceof Error ? e.message : String(e);
          failures.push({ key: node.key, message });
          if (!this.keepGoing) stopping = true;
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
      let progressed = false;
      for (const node of readyNodes()) {
        const stamp = await this.stamps.read(node.id);
        if (stamp?.signature === this.signatures.get(node.key)!.signature) {
          this.set(node, 'cached');
          progressed = true;
        }
      }
      if (progressed) continue;
      if (!stopping) {
        const ready = readyNodes().sort((a, b) => priority.get(b.key)! - priority.get(a.key)! || a.key.localeCompare(b.key));
        for (const node of ready.slice(0, Math.max(0, this.jobs - running.size))) start(node);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    let cancelled = 0;
    for (const n of nodes) {
      if (this.state.get(n.key) === 'pending') {
        this.set(n, 'cancelled');
        cancelled++;
      }
    }
    this.events.complete();
    const count = (s: TaskState) => [...this.state.values()].filter((x) => x === s).length;
    return { ran: count('succeeded') + count('failed'), cached: count('cached'), failed: count('failed'), cancelled, durationMs: Date.now() - started, failures };
  }
}

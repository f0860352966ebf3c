import { TaskGraph, type GraphNode } from '../../core/graph/task-graph.js';
import { FakeClock } from '../../core/model/clock.js';
import { recipeId, taskId, taskName, type TaskId } from '../../core/model/ids.js';
import type { Transition } from '../../core/scheduler/events.js';
import { RunQueue, type RunQueueOptions } from '../../core/scheduler/run-queue.js';
import { TaskFailed } from '../../core/scheduler/task-failed.js';
import type { Stamp, TaskStamps } from '../../core/scheduler/task-stamps.js';
import type { Tasks } from '../../core/scheduler/tasks.js';

// Fakes at the run queue's seams (core/scheduler/tasks.ts, task-stamps.ts,
// model/clock.ts): tasks that record when they start and end, how many run
// at once, and can be told to fail, to take a while on the fake clock, or
// to wait until the test lets them go. No shell, no files.

/** `{ 'app:compile': ['app:configure'], … }`: each task and the tasks it waits for. */
export type GraphSpec = Record<string, readonly string[]>;

const idOf = (key: string): TaskId => {
  const [recipe, task] = key.split(':');
  return taskId(recipeId(recipe), taskName(task ?? 'do'));
};

export function graphOf(spec: GraphSpec): TaskGraph<null> {
  const g = new TaskGraph<null>();
  for (const [key, deps] of Object.entries(spec)) g.add(idOf(key), deps.map(idOf), null);
  return g;
}

export class MemoryStamps implements TaskStamps {
  readonly stamps = new Map<string, Stamp>();
  private k = (id: TaskId) => `${id.recipe}:${id.task}`;
  async read(id: TaskId) {
    return this.stamps.get(this.k(id));
  }
  async clear(id: TaskId) {
    this.stamps.delete(this.k(id));
  }
  async write(id: TaskId, stamp: Stamp) {
    this.stamps.set(this.k(id), stamp);
  }
}

export interface FakeOptions {
  /** Tasks that fail (TaskFailed) when run. */
  readonly fail?: Iterable<string>;
  /** How long each task takes on the fake clock (advanced when it ends). */
  readonly durations?: Record<string, number>;
  /** Tasks that wait until `release(key)` before ending. */
  readonly gated?: Iterable<string>;
  /** Tasks whose output is captured (cached and restored); their paths do not exist. */
  readonly captured?: Iterable<string>;
  /** Called when a task starts, with the keys of the tasks that ended before. */
  readonly check?: (key: string, ended: ReadonlySet<string>) => void;
}

export class FakeTasks implements Tasks<null> {
  readonly started: string[] = [];
  readonly ended = new Set<string>();
  running = 0;
  maxRunning = 0;
  readonly clock = new FakeClock(Date.UTC(2026, 0, 1));
  private readonly gates = new Map<string, () => void>();
  private readonly gateWaiters = new Map<string, () => void>();
  private readonly fail: Set<string>;
  private readonly gated: Set<string>;
  inputs = (node: GraphNode<null>) => `inputs of ${node.key}: ${this.inputsVersion.get(node.key) ?? 1}`;
  failure?: (caught: unknown, node: GraphNode<null>) => TaskFailed | undefined;
  /** Change a task's inputs (as an edited recipe would) to make it run again. */
  readonly inputsVersion = new Map<string, number>();

  constructor(private readonly options: FakeOptions = {}) {
    this.fail = new Set(options.fail ?? []);
    this.gated = new Set(options.gated ?? []);
  }

  outputs(node: GraphNode<null>): string[] | undefined {
    return [...(this.options.captured ?? [])].includes(node.key) ? [`/nonexistent/strata-fake/${node.key}`] : undefined;
  }

  async workdirId(): Promise<string> {
    return 'fake-workdir';
  }

  async run(node: GraphNode<null>, signal: AbortSignal): Promise<void> {
    this.options.check?.(node.key, this.ended);
    this.started.push(node.key);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.gated.has(node.key)) {
        await new Promise<void>((resolve) => {
          this.gates.set(node.key, resolve);
          this.gateWaiters.get(node.key)?.();
        });
      } else await new Promise((resolve) => setImmediate(resolve));
      this.clock.advance(this.options.durations?.[node.key] ?? 0);
      if (this.fail.has(node.key)) throw new TaskFailed(`${node.key} failed on purpose${signal.aborted ? ' (after the abort)' : ''}`);
    } finally {
      this.running--;
      this.ended.add(node.key);
    }
  }

  /** Resolves once a gated task has started and is waiting. */
  waitingAt(key: string): Promise<void> {
    if (this.gates.has(key)) return Promise.resolve();
    return new Promise((resolve) => this.gateWaiters.set(key, resolve));
  }

  release(key: string): void {
    const open = this.gates.get(key);
    if (!open) throw new Error(`test bug: ${key} is not waiting`);
    this.gates.delete(key);
    open();
  }
}

/** A run queue over fakes, with every transition recorded. */
export function fakeQueue(spec: GraphSpec, fakes = new FakeTasks(), options: Partial<RunQueueOptions> = {}, stamps = new MemoryStamps()) {
  const graph = graphOf(spec);
  const queue = new RunQueue(graph, fakes, stamps, { jobs: 1, roots: [], clock: fakes.clock, ...options });
  const transitions: Transition[] = [];
  queue.transitions.subscribe((t) => transitions.push(t));
  return { graph, queue, fakes, stamps, transitions };
}

/** `n` independent chains of `length` tasks: c0:t0 → c0:t1 → … */
export function chains(n: number, length: number): GraphSpec {
  const spec: Record<string, string[]> = {};
  for (let c = 0; c < n; c++) for (let t = 0; t < length; t++) spec[`c${c}:t${t}`] = t ? [`c${c}:t${t - 1}`] : [];
  return spec;
}

import { Subject } from 'rxjs';
import type { GraphNode } from '../graph/task-graph.js';
import type { Clock } from '../model/clock.js';
import type { TaskState, Transition } from './events.js';

// The run queue's state machine: the one place a task's state changes. Each
// change is checked against the table below (a change it does not allow is
// a bug in the queue, thrown at once rather than a build that hangs or lies
// in its summary) and published on `transitions`.

/** Every allowed change: from → the states it may go to. Terminal states go nowhere. */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  // Ready once it can start; at the end, skipped (not needed) or cancelled (needed, the build stopped first).
  pending: ['ready', 'skipped', 'cancelled'],
  ready: ['starting', 'cancelled'],
  // Up to date; restoring or running; a failure found before running (its inputs); or
  // back to pending when it must run after all and waits for tasks not yet done.
  starting: ['cached', 'running', 'failed', 'pending'],
  // Back to pending: the cache could not restore it and it waits for tasks not yet done.
  running: ['succeeded', 'restored', 'failed', 'pending'],
  succeeded: [],
  cached: [],
  restored: [],
  failed: [],
  skipped: [],
  cancelled: [],
};

export class TaskStates {
  readonly transitions = new Subject<Transition>();
  private readonly state = new Map<string, TaskState>();
  private readonly byState = new Map<TaskState, Set<string>>(Object.keys(TRANSITIONS).map((s) => [s as TaskState, new Set<string>()]));

  constructor(
    nodes: Iterable<GraphNode<unknown>>,
    private readonly clock: Clock,
  ) {
    for (const n of nodes) {
      this.state.set(n.key, 'pending');
      this.byState.get('pending')!.add(n.key);
    }
  }

  get(key: string): TaskState {
    const s = this.state.get(key);
    if (!s) throw new Error(`bug: task ${key} is not in the run queue`);
    return s;
  }

  /** The tasks in a state now (a live view: copy it before moving tasks out of it). */
  inState(state: TaskState): ReadonlySet<string> {
    return this.byState.get(state)!;
  }

  move(node: GraphNode<unknown>, to: TaskState, extra: { message?: string; durationMs?: number } = {}): void {
    const from = this.get(node.key);
    if (!TRANSITIONS[from].includes(to)) throw new Error(`bug: task ${node.key} cannot go from ${from} to ${to}`);
    this.state.set(node.key, to);
    this.byState.get(from)!.delete(node.key);
    this.byState.get(to)!.add(node.key);
    this.transitions.next({ id: node.id, key: node.key, from, to, at: this.clock.now(), ...extra });
  }

  /** No more changes: subscribers see the stream end. */
  close(): void {
    this.transitions.complete();
  }
}

import { upstreamMatching, type TaskGraph } from '../graph/task-graph.js';
import type { BuildSummary, TaskState } from './events.js';
import type { TaskStates } from './task-states.js';

// What a finished run of the queue says about itself (run-queue.ts, once no
// task is left running): how many tasks ended in each state, and for each
// failure the cancelled tasks behind it, so `-k` and the final report can
// say what a failure cost.

export interface Failure {
  readonly key: string;
  readonly message: string;
}

/** The summary of a run whose every task has ended (TaskStates closed). */
export function buildSummary<T>(graph: TaskGraph<T>, states: TaskStates, failures: readonly Failure[], durationMs: number): BuildSummary {
  const count = (s: TaskState) => states.inState(s).size;
  const blocked = blockedBy(graph, states, failures);
  return {
    ran: count('succeeded') + count('failed'),
    cached: count('cached'),
    restored: count('restored'),
    skipped: count('skipped'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    durationMs,
    failures: failures.map((f) => ({ ...f, blocked: (blocked.get(f.key) ?? []).sort() })),
  };
}

/** For each failed task, the cancelled tasks that wait for it, directly or not. */
function blockedBy<T>(graph: TaskGraph<T>, states: TaskStates, failures: readonly Failure[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!failures.length) return out;
  const upstream = upstreamMatching(graph, states.inState('cancelled'), (k) => states.get(k) === 'failed');
  for (const [key, failed] of upstream) for (const f of failed) out.set(f, [...(out.get(f) ?? []), key]);
  return out;
}

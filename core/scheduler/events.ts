import type { TaskId } from '../model/ids.js';

// The run queue's states and what it publishes (core/scheduler/task-states.ts
// holds the table of allowed changes).
//
// Every task starts pending. A needed task whose dependencies are done (or
// that will not need them: up to date or restorable) becomes ready; the
// queue takes ready tasks, best first, into starting, where it finds out
// whether the task is up to date (cached), must be restored or run
// (running), or after all needs tasks it did not plan to run (back to
// pending). A running task ends succeeded, restored or failed. At the end,
// a task the targets did not need is skipped, and a needed one the build
// stopped before is cancelled.

export type TaskState = 'pending' | 'ready' | 'starting' | 'running' | 'succeeded' | 'cached' | 'restored' | 'failed' | 'skipped' | 'cancelled';

/** The queue's own bookkeeping states, not published to reporters (the `--json` event file keeps its shape). */
export const INTERNAL_STATES: readonly TaskState[] = ['ready', 'starting'];

/** The states reporters see. */
export type PublishedState = Exclude<TaskState, 'ready' | 'starting'>;

/** A task's work is there for what waits on it. */
export const DONE_STATES: readonly TaskState[] = ['succeeded', 'cached', 'restored'];

/** One change of state, exactly as the transition table allowed it. */
export interface Transition {
  readonly id: TaskId;
  readonly key: string;
  readonly from: TaskState;
  readonly to: TaskState;
  readonly at: number;
  readonly message?: string;
  readonly durationMs?: number;
}

export interface TaskEvent {
  readonly id: TaskId;
  readonly key: string;
  readonly state: PublishedState;
  readonly at: number;
  readonly message?: string;
  readonly durationMs?: number;
}

export interface BuildSummary {
  readonly ran: number;
  readonly cached: number;
  readonly restored: number;
  /** Not needed: everything after them was up to date or restored. */
  readonly skipped: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly durationMs: number;
  /** Each failure, with the tasks not started because they wait for it (directly or not), sorted. */
  readonly failures: readonly { key: string; message: string; blocked: readonly string[] }[];
}

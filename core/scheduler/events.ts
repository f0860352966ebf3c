import type { TaskId } from '../model/ids.js';

// The run queue's state machine, published as events. Every needed task
// goes pending → running → succeeded | failed, or pending → cached when its
// stamp shows the same signature, or pending → running (restoring) →
// restored when the cache holds its output; a task that turns out not to
// be needed (a later task was restored) ends skipped, and one the build
// stopped before ends cancelled.

export type TaskState = 'pending' | 'running' | 'succeeded' | 'cached' | 'restored' | 'failed' | 'skipped' | 'cancelled';

export interface TaskEvent {
  readonly id: TaskId;
  readonly key: string;
  readonly state: TaskState;
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
  readonly failures: readonly { key: string; message: string }[];
}

import type { TaskId } from '../model/ids.js';

// The run queue's state machine, published as events. Every task goes
// pending → (ready →) running → succeeded | failed, or pending → cached when
// its stamp shows the same signature, or pending → cancelled when the build
// stops before it could start.

export type TaskState = 'pending' | 'ready' | 'running' | 'succeeded' | 'cached' | 'failed' | 'cancelled';

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
  readonly failed: number;
  readonly cancelled: number;
  readonly durationMs: number;
  readonly failures: readonly { key: string; message: string }[];
}

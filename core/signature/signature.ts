import { createHash } from 'node:crypto';

// A task's signature: sha256 over a sorted, documented record of what the
// task depends on. Same record → same output, so the task need not run.

export interface SignatureRecord {
  /** `recipe:task`, so two tasks with equal inputs still differ. */
  readonly task: string;
  /** Strata's task-format version: bump it when a task implementation changes its output. */
  readonly format: number;
  /** What the task itself reads: its full script, its sources' sums, its settings. */
  readonly inputs: string;
  /** Signatures of the tasks it waits for, by key, sorted. */
  readonly deps: Readonly<Record<string, string>>;
}

export const TASK_FORMAT = 1;

export function signatureOf(record: SignatureRecord): string {
  const deps = Object.keys(record.deps).sort().map((k) => [k, record.deps[k]]);
  return createHash('sha256').update(JSON.stringify([record.task, record.format, record.inputs, deps])).digest('hex');
}

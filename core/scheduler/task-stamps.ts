import type { TaskId } from '../model/ids.js';
import type { SignatureRecord } from '../signature/signature.js';

// What the run queue needs from its record of finished tasks. A stamp says
// "this task finished with this signature"; the queue removes it before the
// task runs and writes it only after it succeeds, so a killed or failed
// task is never taken as done. core/build/stamps.ts keeps them as files.

export interface Stamp {
  readonly signature: string;
  readonly record: SignatureRecord;
  /** Hash of the task's captured output (install, package, rootfs, image), for hash equivalence. */
  readonly output?: string;
  /** The id of the work folder the task ran in (core/build/workdir-id.ts): a new folder means the task's work is gone. */
  readonly workdir?: string;
  readonly finished: string;
  /** True when the output came from the cache rather than from running the task. */
  readonly restored?: boolean;
  /** How long the task ran, so the next build can put long chains first. */
  readonly durationMs?: number;
}

export interface TaskStamps {
  read(id: TaskId): Promise<Stamp | undefined>;
  clear(id: TaskId): Promise<void>;
  write(id: TaskId, stamp: Stamp): Promise<void>;
}

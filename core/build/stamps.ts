import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaskId } from '../model/ids.js';
import type { SignatureRecord } from '../signature/signature.js';
import { writeFileAtomically } from '../fs/atomic-write.js';

// A stamp says "this task finished with this signature". It is removed
// before the task runs and written (atomically) only after it succeeds, so a
// killed or failed task is never taken as done.

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
}

export class StampStore {
  constructor(readonly dir: string) {}

  private path(id: TaskId): string {
    return join(this.dir, id.recipe, `${id.task}.json`);
  }

  async read(id: TaskId): Promise<Stamp | undefined> {
    try {
      return JSON.parse(await readFile(this.path(id), 'utf8')) as Stamp;
    } catch {
      return undefined;
    }
  }

  async clear(id: TaskId): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  private readonly made = new Set<string>();

  async write(id: TaskId, stamp: Stamp): Promise<void> {
    const p = this.path(id);
    if (!this.made.has(dirname(p))) {
      await mkdir(dirname(p), { recursive: true });
      this.made.add(dirname(p));
    }
    await writeFileAtomically(p, JSON.stringify(stamp, null, 1) + '\n');
  }
}

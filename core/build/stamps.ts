import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaskId } from '../model/ids.js';
import type { Stamp, TaskStamps } from '../scheduler/task-stamps.js';
import { writeFileAtomically } from '../fs/atomic-write.js';

// Stamps as files, one per task under the build folder
// (stamps/<machine>/<recipe>/<task>.json), written atomically. What a stamp
// holds and when the run queue writes it: core/scheduler/task-stamps.ts.

export type { Stamp };

export class StampStore implements TaskStamps {
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

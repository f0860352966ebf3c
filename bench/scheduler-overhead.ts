import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StampStore } from '../core/build/stamps.js';
import { makeWorkdir, workdirId } from '../core/build/workdir-id.js';
import { TaskGraph } from '../core/graph/task-graph.js';
import { recipeId, taskId, taskName, type TaskId } from '../core/model/ids.js';
import { RunQueue } from '../core/scheduler/run-queue.js';
import type { Tasks } from '../core/scheduler/tasks.js';

// The run queue's own cost per task: a synthetic graph of `count` no-op
// tasks (100 recipes of 100 chained tasks, each recipe's first task waiting
// for the last task of up to three earlier recipes), run once from scratch
// and once again with every stamp current. Real stamps are written, so the
// figure includes the queue's bookkeeping files.

export async function schedulerOverhead(count: number): Promise<{ tasks: number; cold_ms_per_task: number; noop_ms_per_task: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-sched-'));
  try {
    const perRecipe = 100;
    const recipes = Math.ceil(count / perRecipe);
    const graph = new TaskGraph<null>();
    const id = (r: number, t: number): TaskId => taskId(recipeId(`r${r}`), taskName(`t${t}`));
    for (let r = 0; r < recipes; r++) {
      for (let t = 0; t < perRecipe; t++) {
        const deps =
          t > 0
            ? [id(r, t - 1)]
            : [1, 7, 31]
                .map((k) => r - k)
                .filter((x) => x >= 0)
                .map((x) => id(x, perRecipe - 1));
        graph.add(id(r, t), deps, null);
      }
    }
    // No-op tasks sharing one real work folder (its marker is read for every stamp, as in a build).
    await makeWorkdir(dir);
    const tasks: Tasks<null> = { inputs: () => 'same', outputs: () => undefined, workdirId: () => workdirId(dir), run: async () => {} };
    const stamps = new StampStore(join(dir, 'stamps'));
    const run = async () => {
      const q = new RunQueue(graph, tasks, stamps, { jobs: 2, roots: [] });
      const t0 = performance.now();
      const summary = await q.run(new AbortController().signal);
      if (summary.failed) throw new Error('a no-op task failed');
      return performance.now() - t0;
    };
    const cold = await run();
    const again = await run();
    const n = graph.nodes.size;
    return { tasks: n, cold_ms_per_task: +(cold / n).toFixed(3), noop_ms_per_task: +(again / n).toFixed(3) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

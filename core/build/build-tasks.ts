import { join } from 'node:path';
import type { TaskPayload } from '../graph/plan.js';
import type { GraphNode } from '../graph/task-graph.js';
import { TaskFailed } from '../scheduler/task-failed.js';
import type { Tasks } from '../scheduler/tasks.js';
import { workdirOf, type BuildContext, type TaskImplementation } from './context.js';
import { diskFull } from './disk-full.js';
import { makeWorkdir, workdirId } from './workdir-id.js';

// The build's tasks as the run queue sees them (core/scheduler/tasks.ts):
// each node goes to the implementation of its kind, runs in its recipe's
// work folder (made once, with its marker) and logs to log.<task> there.

export function buildTasks(implementations: Record<TaskPayload['kind'], TaskImplementation>, ctx: BuildContext): Tasks<TaskPayload> {
  const madeDirs = new Set<string>();
  const impl = (node: GraphNode<TaskPayload>) => implementations[node.payload.kind];
  return {
    inputs: (node) => impl(node).inputs(node, ctx),
    outputs: (node) => impl(node).outputs?.(node, ctx),
    workdirId: (node) => workdirId(workdirOf(node, ctx)),
    afterRestore: async (node) => impl(node).afterRestore?.(node, ctx),
    async run(node, signal) {
      const workdir = workdirOf(node, ctx);
      if (!madeDirs.has(workdir)) {
        await makeWorkdir(workdir);
        madeDirs.add(workdir);
      }
      await impl(node).run({ node, ctx, workdir, log: join(workdir, `log.${node.id.task}`), signal });
    },
    // A full disk is the user's to fix; so is bad metadata a task meets (a UserError's diagnostics).
    failure(caught, node) {
      const full = diskFull(caught, workdirOf(node, ctx));
      if (full) return full;
      if (caught instanceof Error && 'diagnostics' in caught) return new TaskFailed(caught.message);
      return undefined;
    },
  };
}

import { join } from 'node:path';
import type { SourceFetcher } from '../fetch/orchestrator.js';
import type { GraphNode } from '../graph/task-graph.js';
import type { TaskPayload } from '../graph/plan.js';
import type { ImageWriter } from '../image/image-writer.js';
import type { Configuration } from '../resolve/configuration.js';
import type { TaskInputs } from '../signature/signature.js';

// What every task implementation may use: the configuration, the fetcher
// (fetch tasks only), the image writers and where outputs go. A task that
// fails for a reason the user can act on throws the run queue's TaskFailed
// (re-exported here for the task implementations).

export { TaskFailed } from '../scheduler/task-failed.js';

export interface BuildContext {
  readonly cfg: Configuration;
  readonly fetcher: SourceFetcher;
  readonly writers: readonly ImageWriter[];
  /** One SOURCE_DATE_EPOCH for the whole build (reproducible-builds.org spec). */
  readonly sourceDateEpoch: number;
}

export interface TaskRun {
  readonly node: GraphNode<TaskPayload>;
  readonly ctx: BuildContext;
  /** The task's work folder; `run.<task>` and `log.<task>` go here. */
  readonly workdir: string;
  readonly log: string;
  readonly signal: AbortSignal;
}

export interface TaskImplementation {
  /** What, with the dependencies' outputs, decides the task's output (see signature.ts). */
  inputs(node: GraphNode<TaskPayload>, ctx: BuildContext): Promise<TaskInputs | string> | TaskInputs | string;
  run(t: TaskRun): Promise<void>;
  /**
   * The files and folders the task produces, for tasks whose output is
   * captured: hashed for hash equivalence, stored in and restored from the
   * cache. Tasks without it only change their work folder.
   */
  outputs?(node: GraphNode<TaskPayload>, ctx: BuildContext): string[];
}

export function workdirOf(node: GraphNode<TaskPayload>, ctx: BuildContext): string {
  const p = node.payload;
  if ('recipe' in p) return p.recipe.data.get('WORKDIR');
  return join(ctx.cfg.project.buildDir, 'work', ctx.cfg.machine.name, `${p.plan.image.name}-image`);
}

export function deployDirOf(ctx: BuildContext): string {
  return join(ctx.cfg.project.buildDir, 'deploy', 'images', ctx.cfg.machine.name);
}

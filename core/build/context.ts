import { join } from 'node:path';
import type { SourceFetcher } from '../fetch/orchestrator.js';
import type { GraphNode } from '../graph/task-graph.js';
import type { TaskPayload } from '../graph/plan.js';
import type { ImageWriter } from '../image/image-writer.js';
import type { Configuration } from '../resolve/configuration.js';
import type { TaskInputs } from '../signature/signature.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/printer.js';

// What every task implementation may use: the configuration, the fetcher
// (fetch tasks only), the image writers and where outputs go.

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

/** A task failed for a reason the user can act on; the message says which. */
export class TaskFailed extends Error {
  constructor(message: string, readonly log?: string) {
    super(message);
  }

  /** Bad metadata found while a task runs: the diagnostics, printed with their file:line, as the task's failure. */
  static of(diagnostics: readonly Diagnostic[]): TaskFailed {
    return new TaskFailed(diagnostics.map(formatDiagnostic).join('\n').trimEnd());
  }
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
  /**
   * Runs after the outputs were restored from the cache, for what depends
   * on more than one task's output and so cannot be cached with any one of
   * them (the package task's feed index, made from every .ipk in the folder).
   */
  afterRestore?(node: GraphNode<TaskPayload>, ctx: BuildContext): Promise<void>;
}

export function workdirOf(node: GraphNode<TaskPayload>, ctx: BuildContext): string {
  const p = node.payload;
  if ('recipe' in p) return p.recipe.data.get('WORKDIR');
  return join(ctx.cfg.project.buildDir, 'work', ctx.cfg.machine.name, `${p.plan.image.name}-image`);
}

export function deployDirOf(ctx: BuildContext): string {
  return join(ctx.cfg.project.buildDir, 'deploy', 'images', ctx.cfg.machine.name);
}

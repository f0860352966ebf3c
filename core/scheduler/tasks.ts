import type { GraphNode } from '../graph/task-graph.js';
import type { TaskInputs } from '../signature/signature.js';
import type { TaskFailed } from './task-failed.js';

// The tasks the run queue runs, as the queue sees them: this is the seam
// between scheduling and doing. core/build implements it for real tasks
// (core/build/build-tasks.ts); tests implement it with fakes that record
// what ran, with no shell and no files.

export interface Tasks<T> {
  /** What, with the dependencies' outputs, decides the task's output (see signature.ts). May throw TaskFailed. */
  inputs(node: GraphNode<T>): Promise<TaskInputs | string> | TaskInputs | string;
  /**
   * The files and folders the task produces when its output is captured
   * (hashed for hash equivalence, stored in and restored from the cache);
   * undefined for a task that only changes its own work folder.
   */
  outputs(node: GraphNode<T>): readonly string[] | undefined;
  /** The id of the task's work folder as it is now; a stamp made in another folder no longer vouches for the work. */
  workdirId(node: GraphNode<T>): Promise<string | undefined>;
  /** Runs after the task's outputs came back from the cache (a package task re-indexes its feed). */
  afterRestore?(node: GraphNode<T>): Promise<void>;
  /** Does the work. Throws TaskFailed for a failure the user can act on; anything else is a bug. */
  run(node: GraphNode<T>, signal: AbortSignal): Promise<void>;
  /**
   * An exception met while handling the task (a full disk while writing its
   * stamp or its output) as a failure the user can act on, or undefined
   * when it is a bug.
   */
  failure?(caught: unknown, node: GraphNode<T>): TaskFailed | undefined;
}

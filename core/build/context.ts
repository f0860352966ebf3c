import type { BuildLayout } from '../config/build-layout.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFetcher } from '../fetch/orchestrator.js';
import type { GraphNode } from '../graph/task-graph.js';
import type { ImagePlan, TaskPayload } from '../graph/plan.js';
import type { ImageWriter } from '../image/image-writer.js';
import type { Configuration } from '../resolve/configuration.js';
import type { Recipe } from '../resolve/recipe.js';
import type { TaskInputs } from '../signature/signature.js';

// What every task implementation may use: the configuration, where outputs
// go and the build epoch (the layout), the fetcher (fetch tasks only), the
// image writers and the image records (image tasks only). The session (core/session/) makes it. A task that fails for
// a reason the user can act on throws the run queue's TaskFailed (re-exported
// here for the task implementations).

export { TaskFailed } from '../scheduler/task-failed.js';

export interface BuildContext {
  readonly cfg: Configuration;
  /** Every path of the build folder, and the one SOURCE_DATE_EPOCH of the build. */
  readonly layout: BuildLayout;
  readonly fetcher: SourceFetcher;
  readonly writers: readonly ImageWriter[];
  /** The build manifest and SBOM writer (core/release, injected); absent where no image task runs (reproduce's comparison of outputs). */
  readonly records?: ImageRecords;
}

/** The build manifest and SBOM an image task writes beside the image: core/release's, handed down (image-records.ts). */
export interface ImageRecords {
  /**
   * What the records say beyond the task signatures (the layers' content and
   * commits, the host tools): part of the image task's inputs, so a change
   * there writes the records again instead of restoring stale ones.
   */
  inputs(plan: ImagePlan, ctx: BuildContext): Promise<object>;
  /** Writes the records (recordNames) into the deploy folder; the paths written. */
  write(plan: ImagePlan, ctx: BuildContext, deployDir: string, base: string, deployed: readonly string[]): Promise<string[]>;
  /** Licences the SBOM had to turn into LicenseRef-s, at the recipe line that set them. */
  licenseWarnings(recipes: readonly Recipe[]): Diagnostic[];
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
  /** Does the work. Code only the work needs is imported here, when it runs, so a build with nothing to do never loads it. */
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

export function workdirOf(node: GraphNode<TaskPayload>, ctx: Pick<BuildContext, 'layout'>): string {
  const p = node.payload;
  if ('recipe' in p) return p.recipe.data.get('WORKDIR');
  return ctx.layout.imageWorkdir(p.plan.image.name);
}

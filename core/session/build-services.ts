import type { BuildContext } from '../build/context.js';
import { buildTasks } from '../build/build-tasks.js';
import type { StampStore } from '../build/stamps.js';
import { TASKS } from '../build/tasks/registry.js';
import type { BuildLayout } from '../config/build-layout.js';
import type { SourceFetcher, FetchEvent } from '../fetch/orchestrator.js';
import { fetchPhase } from '../fetch/phase.js';
import type { BuildPlan, TaskPayload } from '../graph/plan.js';
import type { Configuration } from '../resolve/configuration.js';
import { RunQueue } from '../scheduler/run-queue.js';
import type { TaskCache } from '../scheduler/task-cache.js';
import { buildRoots } from '../signature/build-roots.js';
import type { Container } from 'inversify';
import { BUILD_CONTEXT, buildContainer, SOURCE_FETCHER, STAMPS, TASK_CACHE } from './container.js';

// The heavy half of a session (core/session/session.ts), loaded by the
// commands that fetch, build or read stamps: the fetch orchestrator, the
// build context tasks see, the stamp store and the cache, resolved from the
// composition root (container.ts), and run queues over them. One of each
// per session.

export interface QueueOptions {
  readonly jobs?: number;
  readonly keepGoing?: boolean;
  /** `--shuffle=SEED`: ready tasks start in an order drawn from the seed. */
  readonly shuffle?: number;
  /** false: neither restore from nor store in the cache (a benchmark of the tasks themselves). */
  readonly cache?: false;
}

export class BuildServices {
  private readonly container: Container;
  readonly fetcher: SourceFetcher;
  readonly context: BuildContext;
  readonly stamps: StampStore;

  constructor(
    readonly cfg: Configuration,
    readonly layout: BuildLayout,
  ) {
    this.container = buildContainer(cfg, layout);
    this.fetcher = this.container.get<SourceFetcher>(SOURCE_FETCHER);
    this.context = this.container.get<BuildContext>(BUILD_CONTEXT);
    this.stamps = this.container.get<StampStore>(STAMPS);
  }

  /** The local cache with the remote one behind it, or undefined when the project has none. */
  get cache(): TaskCache | undefined {
    return this.container.get<TaskCache | null>(TASK_CACHE) ?? undefined;
  }

  /**
   * The fetch phase of a plan (core/fetch/phase.ts): every source of its
   * closure downloaded and verified, or a UserError naming every problem.
   * `onEvent` draws it; the caller chooses how (core/report/fetch-progress.ts).
   */
  fetch(plan: BuildPlan, onEvent?: (e: FetchEvent) => void): Promise<number> {
    return fetchPhase(plan, this.fetcher, onEvent);
  }

  /** A run queue over the plan's graph, this session's tasks, stamps and cache. */
  queue(plan: BuildPlan, options: QueueOptions = {}): RunQueue<TaskPayload> {
    return new RunQueue(plan.graph, buildTasks(TASKS, this.context), this.stamps, {
      jobs: options.jobs ?? this.cfg.project.jobs,
      keepGoing: options.keepGoing ?? false,
      shuffle: options.shuffle,
      roots: buildRoots(this.cfg),
      cache: options.cache === false ? undefined : this.cache,
    });
  }
}

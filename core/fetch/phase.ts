import { UserError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Project } from '../config/project.js';
import type { BuildPlan } from '../graph/plan.js';
import type { Recipe } from '../resolve/recipe.js';
import type { Fetcher, FetchSource } from './fetcher.js';
import { SourceFetcher, type FetchEvent } from './orchestrator.js';
import { fetchableSources, type Source, type UnpinnedSource } from './source.js';

// The fetch phase: the only time Strata touches the network. It completes
// for the whole target before any build task starts, and reports every
// missing or corrupt source at once, and every source no fetcher serves or
// that names a file it may not, with its recipe line. Who draws the events
// is the caller's choice (core/report/fetch-progress.ts for the CLI).

/** The fetch settings of a project. */
export function sourceFetcher(project: Project, fetchers: readonly Fetcher[]): SourceFetcher {
  const { parallel, retries, connectTimeoutMs, idleTimeoutMs } = project.fetch;
  return new SourceFetcher(fetchers, {
    downloads: project.downloads,
    premirrors: project.premirrors,
    mirrors: project.mirrors,
    offline: project.offline,
    parallel,
    allowedHosts: project.allowedHosts,
    http: { connectTimeoutMs, idleTimeoutMs },
    retry: { retries },
  });
}

/** Every source of the recipes, and the problems of those that cannot even be listed (a local file outside the layer). */
function collectSources(recipes: readonly Recipe[]): { sources: (Source | UnpinnedSource)[]; problems: Diagnostic[] } {
  const sources: (Source | UnpinnedSource)[] = [];
  const problems: Diagnostic[] = [];
  for (const r of recipes) {
    try {
      sources.push(...fetchableSources(r));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(...e.diagnostics);
    }
  }
  return { sources, problems };
}

/** Fetches and verifies every source of the plan; returns how many; throws a UserError listing every problem. */
export async function fetchPhase(plan: BuildPlan, fetcher: SourceFetcher, onEvent: (e: FetchEvent) => void = () => {}): Promise<number> {
  const { sources: all, problems } = collectSources(plan.recipes);
  for (const s of all) {
    const d = fetcher.registry.check(s);
    if (d) problems.push(d);
  }
  if (problems.length) throw new UserError(problems);
  const sources = all.filter((s): s is FetchSource => s.kind === 'remote' || s.kind === 'git');
  // A source without sha256 is still an error, but one that says which sum to add.
  const unpinned = all.filter((s): s is UnpinnedSource => s.kind === 'unpinned');
  const [failures, pins] = await Promise.all([fetcher.fetchAll(sources, onEvent), Promise.all(unpinned.map((u) => fetcher.pinHint(u)))]);
  if (failures.length || pins.length) throw new UserError([...pins, ...failures]);
  return sources.length;
}

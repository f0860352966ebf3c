import { UserError } from '../diagnostics/diagnostic.js';
import { SourceFetcher } from './orchestrator.js';
import type { Fetcher } from './fetcher.js';
import type { GitSource } from './git/git-source.js';
import { fetchableSources, type RemoteSource, type UnpinnedSource } from './source.js';
import type { BuildPlan } from '../graph/plan.js';
import type { Project } from '../config/project.js';
import { fetchReporter } from '../report/fetch-progress.js';

// The fetch phase: the only time Strata touches the network. It completes
// for the whole target before any build task starts, and reports every
// missing or corrupt source at once.

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

export async function fetchPhase(plan: BuildPlan, fetcher: SourceFetcher): Promise<number> {
  const all = plan.recipes.flatMap(fetchableSources);
  const sources = all.filter((s): s is RemoteSource | GitSource => s.kind === 'remote' || s.kind === 'git');
  // A source without sha256 is still an error, but one that says which sum to add.
  const unpinned = all.filter((s): s is UnpinnedSource => s.kind === 'unpinned');
  const [failures, pins] = await Promise.all([fetcher.fetchAll(sources, fetchReporter()), Promise.all(unpinned.map((u) => fetcher.pinHint(u)))]);
  if (failures.length || pins.length) throw new UserError([...pins, ...failures]);
  return sources.length;
}

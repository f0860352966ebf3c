import { UserError } from '../diagnostics/diagnostic.js';
import { SourceFetcher } from '../fetch/fetch-sources.js';
import type { Fetcher } from '../fetch/fetcher.js';
import type { GitSource } from '../fetch/git-source.js';
import { recipeSources, type RemoteSource } from '../fetch/source.js';
import type { BuildPlan } from '../graph/plan.js';
import type { Project } from '../config/project.js';
import { fetchReporter } from '../report/fetch-progress.js';

// The fetch phase: the only time Strata touches the network. It completes
// for the whole target before any build task starts, and reports every
// missing or corrupt source at once.

export function sourceFetcher(project: Project, fetchers: readonly Fetcher[]): SourceFetcher {
  return new SourceFetcher(fetchers, { downloads: project.downloads, premirrors: project.premirrors, mirrors: project.mirrors, offline: project.offline });
}

export async function fetchPhase(plan: BuildPlan, fetcher: SourceFetcher): Promise<number> {
  const sources = plan.recipes.flatMap(recipeSources).filter((s): s is RemoteSource | GitSource => s.kind !== 'local');
  const failures = await fetcher.fetchAll(sources, fetchReporter());
  if (failures.length) throw new UserError(failures);
  return sources.length;
}

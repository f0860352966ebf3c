import { planBuild } from '../graph/plan.js';
import { Configuration } from '../resolve/configuration.js';
import { plugins } from './container.js';
import { fetchPhase, sourceFetcher } from '../fetch/phase.js';
import { fetchReporter } from '../report/fetch-progress.js';
import { COMMON_OPTIONS, parse, projectFrom } from './options.js';

export const USAGE = 'strata fetch <image|recipe> [--offline] [--mirror DIR]… [--project DIR]';

/** Downloads and verifies every source of the target's whole closure, and nothing else. */
export async function fetchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const project = projectFrom(values);
  const plan = planBuild(new Configuration(project), positionals[0]);
  const count = await fetchPhase(plan, sourceFetcher(project, plugins().fetchers), fetchReporter());
  process.stdout.write(`${count} sources of ${positionals[0]} are in ${project.downloads}, each verified by sha256.\n`);
  return 0;
}

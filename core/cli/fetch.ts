import { fetchReporter } from '../report/fetch-progress.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata fetch <image|recipe> [--offline] [--mirror DIR]… [--project DIR]';

/** Downloads and verifies every source of the target's whole closure, and nothing else. */
export async function fetchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const session = sessionFrom(values);
  const plan = session.plan(positionals[0]);
  const count = await (await session.services()).fetch(plan, fetchReporter());
  process.stdout.write(`${count} sources of ${positionals[0]} are in ${session.project.downloads}, each verified by sha256.\n`);
  return 0;
}

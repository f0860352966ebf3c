import { formatBytes, listCache, parseAge } from '../cache/cache-report.js';
import { pruneCache } from '../cache/prune.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata cache size | strata cache prune --older-than <N>[m|h|d|w] [--dry-run]  [--project DIR]';

// Looks after the local cache folder: how big it is, and removing objects
// not used for a while. Removing objects is always safe: a build that
// needs one again runs the task. Stale objects (made by older task formats)
// are never restored either, since their signatures are not asked for.

export async function cacheCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } }, USAGE);
  const [sub] = positionals;
  if (values.help || !sub) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const { project } = sessionFrom(values);
  if (!project.cache) throw new UserError(diag('usage', 'this project has no cache (cache: false in strata.yaml)'));
  const entries = listCache(project.cache);
  const total = entries.reduce((n, e) => n + e.bytes, 0);
  if (sub === 'size') {
    const oldest = entries.length ? new Date(Math.min(...entries.map((e) => e.lastUsed))).toISOString() : '-';
    process.stdout.write(`${project.cache}: ${entries.length} objects, ${formatBytes(total)}${entries.length ? `; least recently used ${oldest}` : ''}\n`);
    return 0;
  }
  if (sub === 'prune') {
    const age = values['older-than'] ? parseAge(values['older-than']) : undefined;
    if (age === undefined)
      throw new UserError(
        diag('usage', `prune needs --older-than with a number and a unit, like 30d (not '${values['older-than'] ?? ''}')`, undefined, {
          hint: 'units: m (minutes), h, d, w',
        }),
      );
    const { old, leftovers } = await pruneCache(project.cache, age, { dryRun: values['dry-run'] });
    const freed = old.reduce((n, e) => n + e.bytes, 0);
    const litter = leftovers.length ? `, and ${leftovers.length} leftovers of interrupted builds` : '';
    process.stdout.write(
      `${values['dry-run'] ? 'would remove' : 'removed'} ${old.length} of ${entries.length} objects not used for ${values['older-than']}, ${formatBytes(freed)}${litter}; ${formatBytes(total - (values['dry-run'] ? 0 : freed))} left\n`,
    );
    return 0;
  }
  throw new UserError(diag('usage', `unknown cache command '${sub}'`, undefined, { hint: USAGE }));
}

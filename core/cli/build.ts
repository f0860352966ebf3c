import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { deployDirOf, type BuildContext } from '../build/context.js';
import { StampStore } from '../build/stamps.js';
import { TASKS } from '../build/tasks/registry.js';
import { buildTasks } from '../build/build-tasks.js';
import { planBuild } from '../graph/plan.js';
import { writeJsonEvents } from '../report/json-events.js';
import { reportProgress } from '../report/progress.js';
import { formatBuildSummary } from '../report/build-summary.js';
import { Configuration } from '../resolve/configuration.js';
import { RunQueue } from '../scheduler/run-queue.js';
import { shuffleArgv, shuffleSeed } from './shuffle-option.js';
import { buildRoots } from '../signature/build-roots.js';
import { projectCache } from '../cache/project-cache.js';
import { lockBuildFolder } from '../build/build-lock.js';
import { plugins } from './container.js';
import { fetchPhase, sourceFetcher } from '../fetch/phase.js';
import { fetchReporter } from '../report/fetch-progress.js';
import { COMMON_OPTIONS, parse, projectFrom } from './options.js';

export const USAGE =
  'strata build <image|recipe> [--machine M] [--distro D] [--offline] [--mirror DIR]… [-j N] [-k] [--shuffle[=SEED]] [--set VAR=VALUE]… [--json EVENTS-FILE] [--project DIR]';

export async function buildCommand(argv: string[]): Promise<number> {
  const options = { ...COMMON_OPTIONS, 'keep-going': { type: 'boolean', short: 'k' }, json: { type: 'string' }, shuffle: { type: 'string' } } as const;
  const { values, positionals } = parse(shuffleArgv(argv), options, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const target = positionals[0];
  const shuffle = shuffleSeed(values.shuffle);
  const project = projectFrom(values);
  const cfg = new Configuration(project);
  const plan = planBuild(cfg, target);
  const lock = await lockBuildFolder(project.buildDir, (text) => process.stderr.write(`${text}\n`));
  try {
    return await buildLocked(cfg, plan, target, { ...values, shuffle });
  } finally {
    await lock.release();
  }
}

async function buildLocked(
  cfg: Configuration,
  plan: ReturnType<typeof planBuild>,
  target: string,
  values: { 'keep-going'?: boolean; json?: string; shuffle?: number },
): Promise<number> {
  const project = cfg.project;
  const { fetchers, writers } = plugins();
  const fetcher = sourceFetcher(project, fetchers);
  const started = Date.now();
  const count = await fetchPhase(plan, fetcher, fetchReporter());
  process.stdout.write(`fetch phase: ${count} sources verified in ${project.downloads}${project.offline ? ' (offline)' : ''}\n`);

  const ctx: BuildContext = { cfg, fetcher, writers, sourceDateEpoch: 1704067200 };
  const shuffle = values.shuffle;
  if (shuffle !== undefined) process.stdout.write(`shuffle: ready tasks start in an order drawn from seed ${shuffle} (again: --shuffle=${shuffle})\n`);
  const queue = new RunQueue(plan.graph, buildTasks(TASKS, ctx), new StampStore(join(project.buildDir, 'stamps', cfg.machine.name)), {
    jobs: project.jobs,
    keepGoing: values['keep-going'] ?? false,
    shuffle,
    roots: buildRoots(cfg),
    cache: projectCache(project),
  });
  reportProgress(queue.events, plan.graph.nodes.size);
  const eventsWritten = values.json ? writeJsonEvents(queue.events, values.json) : Promise.resolve();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const summary = await queue.run(stop.signal).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

  await eventsWritten;
  for (const f of summary.failures) process.stderr.write(`\nerror: ${f.message}\n${notRun(f.blocked)}`);
  const total = plan.graph.nodes.size;
  const took = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(formatBuildSummary(target, summary, total, took) + '\n');
  if (summary.failed || summary.cancelled) return stop.signal.aborted ? 130 : 1;
  if (plan.image) {
    const dir = deployDirOf(ctx);
    const prefix = `${plan.image.image.name}-${cfg.machine.name}`;
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(prefix) || f.startsWith('Image-')) : [];
    process.stdout.write(`Images in ${dir}:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  }
  return 0;
}

/** The tasks a failure kept from starting, named (the first few) so -k's leftovers are plain. */
function notRun(blocked: readonly string[]): string {
  if (!blocked.length) return '';
  return `  not started because of it: ${blocked.length} tasks (${blocked.slice(0, 8).join(', ')}${blocked.length > 8 ? ', …' : ''})\n`;
}

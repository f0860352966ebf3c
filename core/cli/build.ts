import { readdirSync, existsSync } from 'node:fs';
import type { BuildPlan } from '../graph/plan.js';
import { writeJsonEvents } from '../report/json-events.js';
import { reportProgress } from '../report/progress.js';
import { formatBuildSummary } from '../report/build-summary.js';
import { shuffleArgv, shuffleSeed } from './shuffle-option.js';
import { fetchReporter } from '../report/fetch-progress.js';
import type { Session } from '../session/session.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE =
  'strata build <image|recipe> [--machine M] [--distro D] [--offline] [--mirror DIR]… [-j N] [-k] [--shuffle[=SEED]] [--set VAR=VALUE]… [--json EVENTS-FILE] [--project DIR]';

export async function buildCommand(argv: string[]): Promise<number> {
  const options = { ...COMMON_OPTIONS, 'keep-going': { type: 'boolean', short: 'k' }, json: { type: 'string' }, shuffle: { type: 'string' } } as const;
  const { values, positionals } = parse(shuffleArgv(argv), options, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const session = sessionFrom(values);
  const target = positionals[0];
  return buildTarget(session, session.plan(target), target, { ...values, shuffle: shuffleSeed(values.shuffle) });
}

type BuildValues = { 'keep-going'?: boolean; json?: string; shuffle?: number };

/** Fetches, then builds a plan in the session's build folder (held for the whole build), printing progress and a summary; returns the exit code. */
export async function buildTarget(session: Session, plan: BuildPlan, target: string, values: BuildValues = {}): Promise<number> {
  const lock = await session.lock();
  try {
    return await buildLocked(session, plan, target, values);
  } finally {
    await lock.release();
  }
}

async function buildLocked(session: Session, plan: BuildPlan, target: string, values: BuildValues): Promise<number> {
  const { project, layout } = session;
  const services = await session.services();
  const started = Date.now();
  const count = await services.fetch(plan, fetchReporter());
  process.stdout.write(`fetch phase: ${count} sources verified in ${project.downloads}${project.offline ? ' (offline)' : ''}\n`);

  const shuffle = values.shuffle;
  if (shuffle !== undefined) process.stdout.write(`shuffle: ready tasks start in an order drawn from seed ${shuffle} (again: --shuffle=${shuffle})\n`);
  const queue = services.queue(plan, { keepGoing: values['keep-going'] ?? false, shuffle });
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
    const dir = layout.imagesDir;
    const prefix = `${plan.image.image.name}-${layout.machine}`;
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

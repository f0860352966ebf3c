import { readdirSync, existsSync } from 'node:fs';
import type { BuildPlan } from '../graph/plan.js';
import { writeJsonEvents } from '../report/json-events.js';
import { reportProgress } from '../report/progress.js';
import { formatBuildSummary } from '../report/build-summary.js';
import { fetchReporter } from '../report/fetch-progress.js';
import type { Session } from '../session/session.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE =
  'strata build <image|recipe> [--machine M] [--distro D] [--offline] [--mirror DIR]… [-j N] [-k] [--set VAR=VALUE]… [--json EVENTS-FILE] [--project DIR]';

export async function buildCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, 'keep-going': { type: 'boolean', short: 'k' }, json: { type: 'string' } }, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const session = sessionFrom(values);
  return buildTarget(session, session.plan(positionals[0]), positionals[0], values);
}

/** Fetches, then builds a plan in the session's build folder (held for the whole build), printing progress and a summary; returns the exit code. */
export async function buildTarget(session: Session, plan: BuildPlan, target: string, values: { 'keep-going'?: boolean; json?: string } = {}): Promise<number> {
  const lock = await session.lock();
  try {
    return await buildLocked(session, plan, target, values);
  } finally {
    await lock.release();
  }
}

async function buildLocked(session: Session, plan: BuildPlan, target: string, values: { 'keep-going'?: boolean; json?: string }): Promise<number> {
  const { project, layout } = session;
  const services = await session.services();
  const started = Date.now();
  const count = await services.fetch(plan, fetchReporter());
  process.stdout.write(`fetch phase: ${count} sources verified in ${project.downloads}${project.offline ? ' (offline)' : ''}\n`);

  const queue = services.queue(plan, { keepGoing: values['keep-going'] ?? false });
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
  for (const f of summary.failures) process.stderr.write(`\nerror: ${f.message}\n`);
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

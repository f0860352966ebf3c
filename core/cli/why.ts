import { diag, UserError } from '../diagnostics/diagnostic.js';
import { formatLocation } from '../diagnostics/printer.js';
import type { Change } from '../signature/explain.js';
import { RebuildReasons, type RebuildReason } from '../signature/rebuild-reasons.js';
import { COMMON_OPTIONS, parse, sessionFrom } from './options.js';

export const USAGE = 'strata why <recipe|image>[:<task>] [--machine M] [--project DIR]';

// Says, in words, why a recipe's tasks would run in the next build: for
// each task, up to date, restorable from the cache, or what changed since
// its last build (which variable, which file, which dependency). The
// analysis is core/signature/rebuild-reasons.ts; this file only words it.

const show = (v: string, max = 120) => {
  const one = JSON.stringify(v);
  return one.length > max ? one.slice(0, max - 4) + '…"' : one;
};

const short = (sum: string) => `${sum.slice(0, 12)}…`;

/** One line per change record. */
export function formatChange(c: Change): string {
  switch (c.kind) {
    case 'format':
      return `it was built by a Strata with another task format (${c.old}; now ${c.new})`;
    case 'settings':
      return `its settings changed: ${show(c.old, 80)} → ${show(c.new, 80)}`;
    default: {
      const at = c.kind === 'variable' && c.location ? ` (set at ${formatLocation(c.location)})` : '';
      const head = `${c.kind} ${c.name}`;
      if (c.old === undefined) return `${head} is new: ${show(c.new!)}${at}`;
      if (c.new === undefined) return `${head} is no longer used (was ${show(c.old)})${at}`;
      if (c.kind === 'variable') return `${head} changed: ${show(c.old)} → ${show(c.new)}${at}`;
      if (c.kind === 'file') return `${head} changed: sha256 ${short(c.old)} → ${short(c.new)}`;
      return `${head} changed`;
    }
  }
}

/** The lines that say why a task would run (one line when it need not, or has never run). */
export function formatReason(r: RebuildReason): string[] {
  switch (r.kind) {
    case 'up-to-date':
      return ['up to date'];
    case 'restore':
      return ['will be restored from the cache (its inputs match a cached output)'];
    case 'never-ran':
      return ['has not run in this build folder yet'];
    case 'changed':
      return r.changes.length ? r.changes.map(formatChange) : ['must run: its output is not recorded'];
    case 'waits':
      return [`waits for ${r.waitsFor.join(', ')}, which must run again`, ...r.causes.map((c) => `because ${c.task}: ${formatReason(c.reason).join('; ')}`)];
  }
}

/** `key: reason` for a task that will not run or never ran, else `key must run again:` and the reasons indented. */
export function formatTask(key: string, r: RebuildReason): string {
  const lines = formatReason(r);
  const settled = r.kind === 'up-to-date' || r.kind === 'restore' || r.kind === 'never-ran';
  return settled ? `${key}: ${lines[0]}\n` : `${key} must run again:\n${lines.map((l) => `  ${l}\n`).join('')}`;
}

export async function whyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, USAGE);
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [asked, only] = positionals[0].split(':');
  const session = sessionFrom(values);
  // An image name asks about the image's own tasks (rootfs, image).
  const name = session.isImage(asked) ? asked : session.cfg.provider(asked, 'the command line').name;
  const plan = session.plan(name);
  const services = await session.services();
  const queue = services.queue(plan, { jobs: 1 });
  await queue.plan();
  const nodes = [...plan.graph.nodes.values()].filter((n) => n.id.recipe === name);
  const keys = nodes.filter((n) => !only || n.id.task === only).map((n) => n.key);
  if (!keys.length)
    throw new UserError(diag('usage', `${name} has no task '${only}'`, undefined, { hint: `tasks: ${nodes.map((n) => n.id.task).join(', ')}` }));
  const reasons = new RebuildReasons({
    graph: plan.graph,
    decided: (key) => queue.plans.get(key),
    signed: (key) => queue.signatures.get(key)?.record,
    stamped: async (key) => (await services.stamps.read(plan.graph.get(key).id))?.record,
  });
  for (const key of keys) process.stdout.write(formatTask(key, await reasons.of(key)));
  return 0;
}

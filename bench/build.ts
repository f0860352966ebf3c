import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchReporter } from '../core/report/fetch-progress.js';
import { loadProject, STRATA_ROOT } from '../core/config/project.js';
import { Session } from '../core/session/session.js';
import { TaskPairs } from './task-pairs.js';

// npm run bench:build [-- <image> [--machine M[,M…]]] — per machine (default
// qemuarm64): a cold build of `minimal` in a fresh folder, offline from
// mirror/, one task at a time, each shell task followed at once by the same
// script run by hand in the recipe's second work folder, where the by-hand
// scripts redo the same work one after the other (task-pairs.ts: both sides
// of a pair see the same load), then a no-op
// rebuild through the real command line. Prints, per stage, Strata's time
// summed over its tasks beside the same scripts by hand and the ratio, the
// load average, and the whole build (less the bench's own folder swaps
// and by-hand runs) over the scripts by hand.

const args = process.argv.slice(2);
const at = args.indexOf('--machine');
const machines = at >= 0 ? args.splice(at, 2)[1].split(',') : ['qemuarm64'];
const target = args[0] ?? 'minimal';
for (const machine of machines) await bench(machine);

async function bench(machine: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const project = loadProject(dir, { offline: true, machine });

  const t0 = performance.now();
  const session = new Session(project);
  const plan = session.plan(target);
  const tParsed = performance.now();
  const services = await session.services();
  await services.fetch(plan, fetchReporter());
  const tFetched = performance.now();

  const spans = new Map<string, { start: number; end: number; busy: number }>();
  const starts = new Map<string, number>();
  const queue = services.queue(plan, { jobs: 1, cache: false });
  const pairs = new TaskPairs();
  const SHELL_TASKS = new Set(['unpack', 'patch', 'configure', 'compile', 'install']);
  const loadAtStart = loadavg();
  queue.events.subscribe((e) => {
    const kind = e.id.task as string;
    const node = plan.graph.get(e.key);
    const workdir = 'recipe' in node.payload && SHELL_TASKS.has(kind) ? node.payload.recipe.data.get('WORKDIR') : undefined;
    if (e.state === 'running') starts.set(e.key, workdir ? pairs.before(e.key, workdir) : performance.now());
    if (e.state === 'succeeded' || e.state === 'failed') {
      const s = starts.get(e.key)!;
      const now = performance.now();
      const span = spans.get(kind) ?? { start: s, end: now, busy: 0 };
      spans.set(kind, { start: Math.min(span.start, s), end: Math.max(span.end, now), busy: span.busy + (now - s) });
    }
    if (e.state === 'succeeded' && workdir) pairs.after(e.key, e.key, kind);
  });
  const summary = await queue.run(new AbortController().signal);
  const tBuilt = performance.now();
  pairs.cleanup();
  if (summary.failed) {
    console.error(summary.failures.map((f) => f.message).join('\n'));
    process.exit(1);
  }

  const noopStart = performance.now();
  const noop = spawnSync(process.execPath, [join(STRATA_ROOT, 'dist/core/cli/main.js'), 'build', target, '--machine', machine, '--offline', '--project', dir], {
    encoding: 'utf8',
  });
  const noopMs = performance.now() - noopStart;
  if (noop.status !== 0) {
    console.error(noop.stdout, noop.stderr);
    process.exit(1);
  }

  const ms = (x: number) => `${(x / 1000).toFixed(2).padStart(8)} s`;
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(1)).join(' ');
  const byKind = new Map<string, { strata: number; hand: number; loads: number[] }>();
  for (const p of pairs.pairs) {
    const k = byKind.get(p.kind) ?? { strata: 0, hand: 0, loads: [] };
    byKind.set(p.kind, { strata: k.strata + p.strataMs, hand: k.hand + p.handMs, loads: [...k.loads, ...p.load] });
  }
  const handMs = pairs.pairs.reduce((t, p) => t + p.handMs, 0);
  const buildMs = tBuilt - tFetched - pairs.bookkeepingMs;
  console.log(`cold build of ${target} for ${session.layout.machine} (${plan.graph.nodes.size} tasks, -j${project.jobs}) in ${dir}`);
  console.log(`  started ${new Date(performance.timeOrigin + t0).toISOString()}, load average ${load(loadAtStart)}; ended load average ${load(loadavg())}`);
  console.log(`  ${'parse + plan'.padEnd(16)} ${ms(tParsed - t0)}`);
  console.log(`  ${'fetch phase'.padEnd(16)} ${ms(tFetched - tParsed)}`);
  for (const [kind, s] of [...spans].sort((a, b) => a[1].start - b[1].start)) {
    const k = byKind.get(kind);
    const beside = k
      ? `  by hand ${ms(k.hand)}  ratio ${(k.strata / k.hand).toFixed(3)}  load ${Math.min(...k.loads).toFixed(1)}–${Math.max(...k.loads).toFixed(1)}`
      : '';
    console.log(`  ${kind.padEnd(16)} ${ms(k ? k.strata : s.busy)} summed over tasks${beside}`);
  }
  console.log(`  pairs over 10 s:`);
  for (const p of pairs.pairs.filter((x) => x.strataMs > 10_000)) {
    console.log(`    ${p.task.padEnd(40)} ${ms(p.strataMs)}  by hand ${ms(p.handMs)}  ratio ${(p.strataMs / p.handMs).toFixed(3)}  load ${load(p.load)}`);
  }
  console.log(`  ${'total'.padEnd(16)} ${ms(tBuilt - t0 - pairs.bookkeepingMs)} (less ${ms(pairs.bookkeepingMs)} of folder swaps and by-hand runs)`);
  console.log(`no-op rebuild (new process, command line): ${ms(noopMs)}`);
  console.log(`the same ${pairs.pairs.length} task scripts by hand, each beside its task: ${ms(handMs)}`);
  console.log(`ratio (build after the fetch phase / by hand; one task at a time in both, make -j${project.jobs} inside): ${(buildMs / handMs).toFixed(3)}`);
}

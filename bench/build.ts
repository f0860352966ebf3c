import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchReporter } from '../core/report/fetch-progress.js';
import { loadProject, STRATA_ROOT } from '../core/config/project.js';
import { Session } from '../core/session/session.js';

// npm run bench:build [-- <image> [--machine M[,M…]]] — per machine (default
// qemuarm64): a cold build of `minimal` in a fresh folder, offline from
// mirror/, one task at a time, then a no-op rebuild through the real command
// line, then the same task scripts by hand. Prints the wall time of each
// stage (from the first task of that kind starting to the last one ending)
// beside the same stage's scripts run by hand, and the ratio of the whole
// build to the scripts.

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
  /** Shell tasks in the order the build ran them, to run the same scripts by hand afterwards. */
  const shellRuns: { kind: string; script: string }[] = [];
  const SHELL_TASKS = new Set(['unpack', 'patch', 'configure', 'compile', 'install']);
  queue.events.subscribe((e) => {
    const kind = e.id.task as string;
    if (e.state === 'running') starts.set(e.key, performance.now());
    if (e.state === 'succeeded' && SHELL_TASKS.has(kind)) {
      const node = plan.graph.get(e.key);
      if ('recipe' in node.payload) shellRuns.push({ kind, script: join(node.payload.recipe.data.get('WORKDIR'), `run.${kind}`) });
    }
    if (e.state === 'succeeded' || e.state === 'failed') {
      const s = starts.get(e.key)!;
      const now = performance.now();
      const span = spans.get(kind) ?? { start: s, end: now, busy: 0 };
      spans.set(kind, { start: Math.min(span.start, s), end: Math.max(span.end, now), busy: span.busy + (now - s) });
    }
  });
  const summary = await queue.run(new AbortController().signal);
  const tBuilt = performance.now();
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

  // The same task scripts by hand, one after the other as the build's queue
  // ran them, outside the sandbox (STRATA_SANDBOX=1 skips entering it): the
  // build's wall time over this is Strata's whole overhead (scheduling,
  // sandbox, sysroots, packaging and image writing included).
  const byHand = new Map<string, number>();
  const handStart = performance.now();
  for (const { kind, script } of shellRuns) {
    const started = performance.now();
    const r = spawnSync('/bin/sh', [script], { env: { PATH: '/usr/bin:/bin', STRATA_SANDBOX: '1' }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${script} failed by hand (exit ${r.status})`);
    byHand.set(kind, (byHand.get(kind) ?? 0) + performance.now() - started);
  }
  const handMs = performance.now() - handStart;

  const ms = (x: number) => `${(x / 1000).toFixed(2).padStart(8)} s`;
  console.log(`cold build of ${target} for ${session.layout.machine} (${plan.graph.nodes.size} tasks, -j${project.jobs}) in ${dir}`);
  console.log(`  ${'parse + plan'.padEnd(16)} ${ms(tParsed - t0)}`);
  console.log(`  ${'fetch phase'.padEnd(16)} ${ms(tFetched - tParsed)}`);
  for (const [kind, s] of [...spans].sort((a, b) => a[1].start - b[1].start)) {
    const hand = byHand.get(kind);
    const beside = hand ? `  by hand ${ms(hand)}  ratio ${(s.busy / hand).toFixed(3)}` : '';
    console.log(`  ${kind.padEnd(16)} ${ms(s.end - s.start)} wall  ${ms(s.busy)} summed over tasks${beside}`);
  }
  console.log(`  ${'total'.padEnd(16)} ${ms(tBuilt - t0)}`);
  console.log(`no-op rebuild (new process, command line): ${ms(noopMs)}`);
  console.log(`the same ${shellRuns.length} task scripts by hand, one after the other: ${ms(handMs)}`);
  console.log(`ratio (build / by hand; one task at a time in both, make -j${project.jobs} inside): ${((tBuilt - tFetched) / handMs).toFixed(3)}`);
}

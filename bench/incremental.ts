import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRATA_ROOT } from '../core/config/project.js';
import { schedulerOverhead } from './scheduler-overhead.js';

// npm run bench:incremental — prints, as one JSON object:
//  - cold_build_s: `strata build minimal --offline` in a fresh folder (fills the cache);
//  - noop_rebuild_s: the same command again, wall time including Node's start (goal < 1 s);
//  - restore_s: a second fresh folder sharing that cache, building minimal by
//    restoring everything (goal < 10 s), and how many tasks it ran (should be 0);
//  - the run queue's cost per task on 10,000 no-op tasks (goal < 1 ms).
// Uses mirror/ (npm run setup fills it), so it runs offline.

const CLI = join(STRATA_ROOT, 'dist/core/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'strata-bench-incremental-'));
const cache = join(root, 'shared-cache');

function project(name: string): string {
  const dir = join(root, name);
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(
    join(dir, 'strata.yaml'),
    `layers: [${join(STRATA_ROOT, 'layers/core')}]\nmirrors: [${join(STRATA_ROOT, 'mirror')}]\nmachine: qemuarm64\ndistro: strata\ncache: ${cache}\noffline: true\n`,
  );
  return dir;
}

function timed(dir: string): { s: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'build', 'minimal'], { cwd: dir, encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    process.exit(1);
  }
  return { s: +s.toFixed(2), out: r.stdout };
}

try {
  const a = project('first');
  const cold = timed(a);
  const noop = timed(a);
  const b = project('second');
  const restore = timed(b);
  const ranOnRestore = [...restore.out.matchAll(/^done {4}/gm)].length;
  const scheduler = await schedulerOverhead(10000);
  process.stdout.write(
    JSON.stringify({
      cold_build_s: cold.s,
      noop_rebuild_s: noop.s,
      restore_s: restore.s,
      tasks_run_on_restore: ranOnRestore,
      scheduler_tasks: scheduler.tasks,
      scheduler_ms_per_task: scheduler.cold_ms_per_task,
      scheduler_noop_ms_per_task: scheduler.noop_ms_per_task,
    }) + '\n',
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}

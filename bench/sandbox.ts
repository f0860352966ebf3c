import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRATA_ROOT } from '../core/config/project.js';

// npm run bench:sandbox — what entering the task sandbox costs: a trivial
// task's run.<task> started N times as the build starts it (it enters
// bubblewrap itself) and N times with the sandbox skipped (STRATA_SANDBOX=1,
// i.e. the same script run directly). Prints milliseconds per task as JSON.

const runs = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-sandbox-'));
mkdirSync(join(dir, 'core/recipes'), { recursive: true });
mkdirSync(join(dir, 'core/machines'));
mkdirSync(join(dir, 'core/distros'));
writeFileSync(join(dir, 'core/layer.yaml'), 'name: core\n');
writeFileSync(join(dir, 'core/machines/board.yaml'), 'arch: aarch64\n');
writeFileSync(join(dir, 'core/distros/plain.yaml'), 'version: "1"\nlibc: musl\n');
writeFileSync(join(dir, 'core/recipes/nop.yaml'), 'name: nop\nversion: "1"\nlicense: MIT\ntasks:\n  compile: "true"\n');
writeFileSync(join(dir, 'strata.yaml'), 'layers: [core]\nmachine: board\ndistro: plain\n');
const built = spawnSync(process.execPath, [join(STRATA_ROOT, 'dist/core/cli/main.js'), 'build', 'nop', '--project', dir], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(built.stdout + built.stderr);
const script = join(dir, 'build/work/board/nop-1/run.compile');

function time(env: Record<string, string>): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/bin/sh', [script], { env: { PATH: '/usr/bin:/bin', ...env }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`run.compile failed (${r.status})`);
  }
  return (performance.now() - t0) / runs;
}

time({}); // warm the page cache
const sandboxed = time({});
const direct = time({ STRATA_SANDBOX: '1' });
console.log(
  JSON.stringify(
    { runs, sandboxedMsPerTask: +sandboxed.toFixed(2), directMsPerTask: +direct.toFixed(2), sandboxCostMs: +(sandboxed - direct).toFixed(2) },
    null,
    1,
  ),
);
rmSync(dir, { recursive: true, force: true });

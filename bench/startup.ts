import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRATA_ROOT } from '../core/config/project.js';
import { writeTree } from '../tests/helpers/strata.js';

// npm run bench:startup — how long a command takes before it does its work:
// `strata --help`, `strata env -r busybox PV` (Strata's own layers) and a
// no-op `strata build` (everything up to date) of a one-task recipe in a
// project over Strata's core layer. Each is run N times (default 10); the
// best run counts (the others measure the machine's other load), and
// "own" subtracts the best `node -e 0`, which no command can go below.
// Prints JSON; milliseconds. The target (issue 10) is own < 150 ms.

const runs = Number(process.argv[2] ?? 10);
const CLI = join(STRATA_ROOT, 'dist/core/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-startup-'));

function best(args: string[], cwd = STRATA_ROOT): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    min = Math.min(min, ms);
  }
  return min;
}

try {
  writeTree(dir, {
    'strata.yaml': `layers: [${join(STRATA_ROOT, 'layers/core')}, nop]\ncache: false\n`,
    'nop/layer.yaml': 'name: nop\n',
    'nop/recipes/nop.yaml': 'name: nop\nversion: "1"\nlicense: MIT\ntasks:\n  compile: "true"\n',
  });
  const first = spawnSync(process.execPath, [CLI, 'build', 'nop', '--offline'], { cwd: dir, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`the first build of nop failed:\n${first.stdout}${first.stderr}`);
  const node = best(['-e', '0']);
  const figures = {
    help: best([CLI, '--help']),
    env: best([CLI, 'env', '-r', 'busybox', 'PV']),
    noopBuild: best([CLI, 'build', 'nop', '--offline'], dir),
  };
  const own = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v - node)]));
  const total = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v)]));
  console.log(JSON.stringify({ runs, nodeMs: Math.round(node), totalMs: total, ownMs: own }, null, 1));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

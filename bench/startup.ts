import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STRATA_ROOT } from '../core/config/project.js';
import { writeTree } from '../tests/helpers/strata.js';

// npm run bench:startup — how long a command takes before it does its work:
// `strata --help`, `strata env -r busybox PV` (Strata's own layers) and a
// no-op `strata build` (everything up to date) of a one-task recipe in a
// project over Strata's core layer. Each is run N times (default 10) and
// the best run counts (the others measure the machine's other load): wall
// time, and CPU time (user + system, read by the child itself as it exits),
// which a busy machine disturbs less. "own" subtracts the best
// `node -e 0`, which no command can go below. Prints JSON; milliseconds.
// The target (issue 10) is own < 150 ms. `--cli FILE` measures another
// entry point (the unbundled tsc output, say).

const args = process.argv.slice(2);
const cliAt = args.indexOf('--cli');
const CLI = cliAt >= 0 ? resolve(args.splice(cliAt, 2)[1]) : join(STRATA_ROOT, 'dist/core/cli/main.js');
const runs = Number(args[0] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'strata-bench-startup-'));
const cpuFile = join(dir, 'cpu');
const hook = join(dir, 'cpu-hook.mjs');
writeFileSync(
  hook,
  `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeFileSync(${JSON.stringify(cpuFile)}, String((u.user + u.system) / 1000)); });\n`,
);

function best(argv: string[], cwd = STRATA_ROOT): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', hook, ...argv], { cwd, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    wall = Math.min(wall, ms);
    cpu = Math.min(cpu, Number(readFileSync(cpuFile, 'utf8')));
  }
  return { wall, cpu };
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
  const table = (f: (v: { wall: number; cpu: number }) => number) => Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(f(v))]));
  console.log(
    JSON.stringify(
      {
        cli: CLI,
        runs,
        node: { wallMs: Math.round(node.wall), cpuMs: Math.round(node.cpu) },
        ownWallMs: table((v) => v.wall - node.wall),
        ownCpuMs: table((v) => v.cpu - node.cpu),
        totalWallMs: table((v) => v.wall),
      },
      null,
      1,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STRATA_ROOT } from '../core/config/project.js';
import { writeTree } from '../tests/helpers/strata.js';

// npm run bench:startup — how long a command takes before it does its work:
// `strata --help`, `strata env -r busybox PV` (Strata's own layers) and a
// no-op `strata build` (everything up to date) of a one-task recipe in a
// project over Strata's core layer. Each is run N times (default 10): wall
// time, and CPU time (user + system, read by the child itself as it exits),
// which a busy machine disturbs less; the median and the best run are
// printed (the spread is the machine's other load, which the load average
// beside them shows). "own" subtracts `node -e 0` (its median from the
// medians, its best from the bests), which no command can go below. Prints
// JSON; milliseconds.
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

interface Runs {
  readonly wall: number[];
  readonly cpu: number[];
}

function measure(argv: string[], cwd = STRATA_ROOT): Runs {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', hook, ...argv], { cwd, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    wall.push(ms);
    cpu.push(Number(readFileSync(cpuFile, 'utf8')));
  }
  return { wall, cpu };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const best = (xs: readonly number[]): number => Math.min(...xs);

try {
  writeTree(dir, {
    'strata.yaml': `layers: [${join(STRATA_ROOT, 'layers/core')}, nop]\ncache: false\n`,
    'nop/layer.yaml': 'name: nop\n',
    'nop/recipes/nop.yaml': 'name: nop\nversion: "1"\nlicense: MIT\ntasks:\n  compile: "true"\n',
  });
  const first = spawnSync(process.execPath, [CLI, 'build', 'nop', '--offline'], { cwd: dir, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`the first build of nop failed:\n${first.stdout}${first.stderr}`);
  const loadBefore = loadavg()[0];
  const node = measure(['-e', '0']);
  const figures = {
    help: measure([CLI, '--help']),
    env: measure([CLI, 'env', '-r', 'busybox', 'PV']),
    noopBuild: measure([CLI, 'build', 'nop', '--offline'], dir),
  };
  const stat = (pick: (xs: readonly number[]) => number, of: 'wall' | 'cpu', own: boolean) =>
    Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(pick(v[of]) - (own ? pick(node[of]) : 0))]));
  console.log(
    JSON.stringify(
      {
        cli: CLI,
        runs,
        // The 1-minute load average before and after, against the machine's cores.
        load: { before: loadBefore, after: loadavg()[0], cores: cpus().length },
        node: {
          wallMs: { median: Math.round(median(node.wall)), best: Math.round(best(node.wall)) },
          cpuMs: { median: Math.round(median(node.cpu)), best: Math.round(best(node.cpu)) },
        },
        ownCpuMs: { median: stat(median, 'cpu', true), best: stat(best, 'cpu', true) },
        ownWallMs: { median: stat(median, 'wall', true), best: stat(best, 'wall', true) },
        totalWallMs: { median: stat(median, 'wall', false), best: stat(best, 'wall', false) },
      },
      null,
      1,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

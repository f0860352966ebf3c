import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchReporter } from '../core/report/fetch-progress.js';
import { loadProject, STRATA_ROOT } from '../core/config/project.js';
import { Session } from '../core/session/session.js';
import { median } from './pair-times.js';

// npm run bench:unpack [-- <turns>] — Strata's unpack of Linux's 138 MB
// .orig.tar.xz (layers/core/recipes/linux/linux.yaml, from mirror/) beside
// `tar -xJf` of the same file by hand (with the script's options), in
// turns whose order alternates, each in a fresh folder, so both sides see
// the same load on a shared machine (issue 11's goal: within 1.05). Prints
// each side's wall and CPU time (user + system of this process and of the
// processes it waited for) and the load average. Strata's CPU leaves out
// its staging tar's: inside bwrap's PID namespace it is not waited for by a
// process whose times reach ours (measured with /usr/bin/time: a sandboxed
// staging run counted 3.7 s of system time, the same tar outside the
// sandbox 72 s), so compare the walls, and the CPU of xz and the listing.

const turns = Number(process.argv[2] ?? 4);
const linux = readFileSync(join(STRATA_ROOT, 'layers/core/recipes/linux/linux.yaml'), 'utf8');
const source = /^sources:\n(?:.*\n){2}/m.exec(linux)![0].replace(/\$\{PV\}/g, '6.1.176');
const recipe = `name: lxunpack\nversion: "1"\nlicense: GPL-2.0-only\n${source}vars:\n  S: \${WORKDIR}/linux-6.1.176\n`;
const mirror = join(STRATA_ROOT, 'mirror');
const archive = join(mirror, 'sha256', /sha256: ([0-9a-f]{64})/.exec(source)![1]);

/** CPU seconds so far of this process and of its waited-for children (proc(5): utime, stime, cutime, cstime). */
function cpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

interface Turn {
  readonly wall: number;
  readonly cpu: number;
  readonly load: number;
}

async function measure(f: () => Promise<void> | void): Promise<Turn> {
  const [t0, c0, load] = [performance.now(), cpu(), loadavg()[0]];
  await f();
  return { wall: (performance.now() - t0) / 1000, cpu: cpu() - c0, load };
}

const rmrf = (p: string) => spawnSync('rm', ['-rf', p], { stdio: 'ignore' });

/** A project whose one recipe has Linux's source; its unpack is timed from the run queue's events, the rest of the build stopped. */
async function strata(): Promise<Turn> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-unpack-'));
  mkdirSync(join(dir, 'layer/recipes'), { recursive: true });
  writeFileSync(join(dir, 'layer/layer.yaml'), 'name: benchunpack\n');
  mkdirSync(join(dir, 'layer/machines'));
  mkdirSync(join(dir, 'layer/distros'));
  writeFileSync(join(dir, 'layer/machines/board.yaml'), 'arch: aarch64\n');
  writeFileSync(join(dir, 'layer/distros/d.yaml'), 'version: "1"\nlibc: musl\n');
  writeFileSync(join(dir, 'layer/recipes/lxunpack.yaml'), recipe);
  writeFileSync(join(dir, 'strata.yaml'), `layers: [layer]\nmachine: board\ndistro: d\nmirrors: [${mirror}]\n`);
  const session = new Session(loadProject(dir, { offline: true }));
  const plan = session.plan('lxunpack');
  const services = await session.services();
  await services.fetch(plan, fetchReporter());
  const stop = new AbortController();
  const queue = services.queue(plan, { jobs: 1, cache: false });
  let turn: Turn | undefined;
  let start: [number, number, number] | undefined;
  queue.events.subscribe((e) => {
    if (e.id.task !== 'unpack') return;
    if (e.state === 'running') start = [performance.now(), cpu(), loadavg()[0]];
    if (e.state === 'succeeded' && start) {
      turn = { wall: (performance.now() - start[0]) / 1000, cpu: cpu() - start[1], load: start[2] };
      stop.abort();
    }
    if (e.state === 'failed') stop.abort();
  });
  await queue.run(stop.signal);
  rmrf(dir);
  if (!turn) throw new Error('the unpack task did not succeed');
  return turn;
}

function byHand(): Promise<Turn> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-unpack-hand-'));
  return measure(() => {
    const r = spawnSync('tar', ['-xJf', archive, '-C', dir, '--no-same-owner', '--no-same-permissions'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('tar -xJf failed');
  }).finally(() => rmrf(dir));
}

const show = (name: string, t: Turn) => `${name} ${t.wall.toFixed(1).padStart(6)} s wall ${t.cpu.toFixed(1).padStart(6)} s CPU (load ${t.load.toFixed(1)})`;
console.log(`unpack of ${archive} (Linux 6.1.176), ${turns} turns after one untimed run of each`);
await strata();
await byHand();
const pairs: [Turn, Turn][] = [];
for (let i = 0; i < turns; i++) {
  const [s, h] = i % 2 === 0 ? [await strata(), await byHand()] : await byHand().then(async (h) => [await strata(), h]);
  pairs.push([s, h]);
  console.log(`  turn ${i + 1}: ${show('strata', s)}   ${show('by hand', h)}   ratio ${(s.wall / h.wall).toFixed(2)}`);
}
const med = (f: (p: [Turn, Turn]) => number) => median(pairs.map(f)).toFixed(2);
console.log(
  `median: strata ${med((p) => p[0].wall)} s (CPU ${med((p) => p[0].cpu)} s), by hand ${med((p) => p[1].wall)} s (CPU ${med((p) => p[1].cpu)} s), ratio ${med((p) => p[0].wall / p[1].wall)}`,
);

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tarArchive } from '../../core/archive/tar-writer.js';
import { member as m } from '../helpers/archive-members.js';
import { layerSet } from '../helpers/layer-set.js';
import { CLI, scratchDirs, strata } from '../helpers/strata.js';

// `strata` killed with SIGKILL in the middle of an unpack: no chance to clean
// up. What it leaves must not outlive it (the decompressor, the sandboxed
// staging tar) nor count as done: the next build unpacks again from the
// start, into a tree equal to one never interrupted, with no staging folder
// left behind.

const tempDir = scratchDirs(test);

/** Processes, other than this one, whose command line or working folder names `dir`. */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // another user's process, or gone
      }
      if (cmd.includes(dir) || cwd.startsWith(dir)) found.push(`${pid}: ${cmd}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

test('SIGKILL during an unpack: nothing keeps running, and the next build unpacks whole', async () => {
  // Zeros compress to almost nothing and take a while to write out: about
  // 256 MB staged over a second or more, so the kill lands mid-unpack.
  const big = Buffer.alloc(64 << 20);
  const members = [m('pkg-1', 'dir'), ...[0, 1, 2, 3].map((i) => m(`pkg-1/part${i}`, 'file', { data: big })), m('pkg-1/last', 'file', { data: 'last\n' })];
  const s = layerSet(tempDir, {
    core: {
      'recipes/slow.yaml': 'name: slow\nversion: "1"\nlicense: MIT\nsources:\n  - url: file://src.tar.xz\nvars:\n  S: ${WORKDIR}/pkg-1\n',
    },
  });
  const files = join(s.layer('core'), 'recipes/slow');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'src.tar.xz'), execFileSync('xz', ['-0', '-c', '-T1'], { input: tarArchive(members), maxBuffer: 1 << 30 }));
  const work = join(s.dir, 'build/work/board/slow-1');
  const staging = join(work, '.strata-unpack');

  const child = spawn(process.execPath, [CLI, 'build', 'slow'], { cwd: s.dir, stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.on('close', () => done()));
  const deadline = Date.now() + 120_000;
  // Killed once the staging tar has written some of the tree, before the unpack ends.
  while (!existsSync(join(staging, '0/pkg-1/part0')) || statSync(join(staging, '0/pkg-1/part0')).size === 0) {
    assert.ok(Date.now() < deadline, 'the unpack never started staging');
    assert.ok(child.exitCode === null, 'the build ended before it could be killed');
    await sleep(20);
  }
  child.kill('SIGKILL');
  await exited;
  assert.not.ok(existsSync(join(work, 'pkg-1/last')), 'the kill came before the unpack ended');

  // Its children see the pipe close or their parent die, and stop.
  let left = processesUnder(s.dir);
  for (let i = 0; left.length && i < 100; i++) {
    await sleep(100);
    left = processesUnder(s.dir);
  }
  assert.equal(left, [], 'nothing of the killed build keeps running');

  const r = await strata(['build', 'slow'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /slow:unpack/, 'the unpack ran again');
  assert.is(readFileSync(join(work, 'pkg-1/last'), 'utf8'), 'last\n');
  for (const i of [0, 1, 2, 3]) assert.is(statSync(join(work, `pkg-1/part${i}`)).size, 64 << 20, `part${i} whole`);
  assert.not.ok(existsSync(staging), 'no staging folder left');
  assert.equal(readdirSync(work).filter((f) => f.startsWith('.strata-unpack')), []);
});

test.run();

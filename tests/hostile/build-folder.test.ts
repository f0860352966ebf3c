import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { CLI, scratchDirs, strata, type CliResult } from '../helpers/strata.js';

// One build folder, one build; stamps vouch only for outputs still there;
// the log shows each start once and the summary counts every task (issue 9).

const tempDir = scratchDirs(test);
const s = layerSet(tempDir, {
  core: {
    // Writes its lines slowly, so two runs at once would interleave them.
    'recipes/slow.yaml':
      'name: slow\nversion: "1"\nlicense: MIT\nvars:\n  S: ${WORKDIR}\ntasks:\n  compile: |\n    : > out.txt\n    for i in 1 2 3 4 5 6 7 8; do echo "line $i $$" >> out.txt; sleep 0.1; done\n  install: |\n    mkdir -p "$D/usr/share"\n    cp out.txt "$D/usr/share/out.txt"\n',
  },
});

const run = (args: string[]): Promise<CliResult> =>
  new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: s.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });

test('two builds in one folder: the second waits for the first, names it, and nothing is interleaved', async () => {
  const [a, b] = await Promise.all([run(['build', 'slow']), new Promise((r) => setTimeout(r, 150)).then(() => run(['build', 'slow']))]);
  assert.is(a.code, 0, a.stdout + a.stderr);
  assert.is(b.code, 0, b.stdout + b.stderr);
  const waited = [a, b].find((r) => /is in use by strata PID \d+ on .*: waiting for it to finish/.test(r.stderr));
  assert.ok(waited, `one build said whom it waited for:\n${a.stderr}\n${b.stderr}`);
  const out = readFileSync(join(s.dir, 'build/work/board/slow-1/out.txt'), 'utf8').trim().split('\n');
  assert.is(out.length, 8);
  assert.is(new Set(out.map((l) => l.split(' ')[2])).size, 1, 'every line from one run');
  assert.not.ok(existsSync(join(s.dir, 'build/.lock')), 'the lock is released');
});

const starts = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('start '))
    .map((l) => l.slice(8));

test('a deleted work folder or install tree is made again, not trusted because of its stamps', async () => {
  const work = join(s.dir, 'build/work/board/slow-1');
  const installed = join(work, 'image/usr/share/out.txt');
  const packaged = join(work, 'packages/slow_1_aarch64.ipk');
  const first = await strata(['build', 'slow'], { cwd: s.dir });
  assert.is(first.code, 0, first.stdout + first.stderr);
  rmSync(work, { recursive: true, force: true });
  const again = await strata(['build', 'slow'], { cwd: s.dir });
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.not.match(again.stdout, 'Nothing to do');
  assert.ok(existsSync(packaged), 'the package is back (restored from the cache)');

  // The work folder is gone again and install must really run now: the
  // compile it needs has a stamp, but for a folder that no longer exists.
  rmSync(work, { recursive: true, force: true });
  const changed = await strata(['build', 'slow', '--set', 'do_install:append=\ntouch "$D/changed"\n'], { cwd: s.dir });
  assert.is(changed.code, 0, changed.stdout + changed.stderr);
  assert.ok(starts(changed.stdout).includes('slow:compile'), changed.stdout);
  assert.ok(existsSync(installed));
});

test('each task starts once in the log, and the summary counts every task of the graph', async () => {
  const s2 = layerSet(
    tempDir,
    { core: { 'recipes/aa.yaml': 'name: aa\nversion: "1"\nlicense: MIT\ntasks:\n  install: mkdir -p "$D/x" && echo a > "$D/x/a"\n' } },
    'cache: shared-cache\n',
  );
  const r = await strata(['build', 'aa'], { cwd: s2.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const started = starts(r.stdout);
  assert.equal(started, [...new Set(started)], 'no start line twice');
  const summary = /aa: (\d+) tasks: (.*) \(/.exec(r.stdout);
  assert.ok(summary, r.stdout);
  const counted = summary![2].split(', ').reduce((n, part) => n + Number(part.split(' ')[0]), 0);
  assert.is(counted, Number(summary![1]));

  // A change late in the chain: the tasks before it are up to date or not needed, and still counted.
  const changed = await strata(['build', 'aa', '--set', 'do_install=mkdir -p "$D/x" && echo b > "$D/x/a"'], { cwd: s2.dir });
  const again = /aa: (\d+) tasks: (.*) \(/.exec(changed.stdout);
  assert.ok(again, changed.stdout);
  assert.is(
    again![2].split(', ').reduce((n, part) => n + Number(part.split(' ')[0]), 0),
    Number(again![1]),
    changed.stdout,
  );
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// -k keeps building what does not depend on a failure; strata clean forgets
// one recipe's work and stamps and nothing else.

const tempDir = scratchDirs(test);
const recipe = (name: string, extra: string) => `name: ${name}\nversion: "1"\n${extra}`;
const s = layerSet(tempDir, {
  core: {
    'recipes/bad.yaml': recipe('bad', 'tasks:\n  compile: echo broken on purpose; exit 3\n'),
    'recipes/good.yaml': recipe('good', 'tasks:\n  install: mkdir -p $D/usr/share && echo good > $D/usr/share/good\n'),
    'recipes/top.yaml': recipe('top', 'depends: [bad, good]\n'),
  },
});
const stamp = (recipe: string, task: string) => join(s.dir, 'build/stamps/board', recipe, `${task}.json`);

test('without -k a failure stops new tasks; with -k everything not behind the failure is built', async () => {
  const stop = await strata(['build', 'top', '-j', '1'], { cwd: s.dir });
  assert.is(stop.code, 1, stop.stdout + stop.stderr);
  assert.match(stop.stderr, 'bad:compile failed (exit code 3)');
  const notStarted = (out: string) => Number(/(\d+) not started/.exec(out)?.[1]);

  const keep = await strata(['build', 'top', '-j', '1', '-k'], { cwd: s.dir });
  assert.is(keep.code, 1, keep.stdout + keep.stderr);
  assert.match(keep.stderr, 'bad:compile failed (exit code 3)');
  assert.ok(existsSync(stamp('good', 'package')), 'good was built to the end');
  assert.ok(existsSync(stamp('top', 'patch')), "top's tasks before its sysroot ran");
  assert.not.ok(existsSync(stamp('top', 'prepare_sysroot')), "top's sysroot needs bad, so it did not start");
  assert.match(keep.stdout, /1 failed, \d+ not started/);
  assert.is(notStarted(keep.stdout), 7, "exactly bad:install, bad:package and top from prepare_sysroot on were left");
  assert.ok(notStarted(stop.stdout) > 7, `without -k more tasks were left unstarted (${notStarted(stop.stdout)})`);
});

test('--json writes every transition as a JSON line', async () => {
  const events = join(s.dir, 'events.jsonl');
  const r = await strata(['build', 'good', '--json', events], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // good was built before: its package task is up to date, so nothing
  // before it is even needed.
  assert.is(lines.length, 8, lines.map((l) => `${l.task} ${l.state}`).join(', '));
  const pkg = lines.find((l) => l.task === 'good:package');
  assert.equal(pkg, { task: 'good:package', recipe: 'good', name: 'package', state: 'cached', at: pkg.at });
  assert.equal(lines.filter((l) => l.task !== 'good:package').map((l) => l.state), Array(7).fill('skipped'));
  await strata(['clean', 'good'], { cwd: s.dir });
  await strata(['build', 'good', '--json', events], { cwd: s.dir });
  const fresh = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // After clean, the package output comes back from the cache (like
  // Yocto's sstate after -c clean): running (restoring), then restored.
  assert.equal(fresh.filter((e) => e.task === 'good:package').map((e) => e.state), ['running', 'restored']);
  assert.ok(fresh.find((e) => e.task === 'good:package' && e.state === 'restored').durationMs >= 0);
  assert.equal(fresh.filter((e) => e.task === 'good:compile').map((e) => e.state), ['skipped']);
});

test('strata clean forgets one recipe: stamps and work folder go, other recipes and downloads stay', async () => {
  const built = await strata(['build', 'good'], { cwd: s.dir });
  assert.is(built.code, 0, built.stderr);
  const work = join(s.dir, 'build/work/board/good-1');
  assert.ok(existsSync(join(work, 'packages/good_1_aarch64.ipk')));
  const r = await strata(['clean', 'good'], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'good: removed build/stamps/board/good and build/work/board/good-1');
  assert.not.ok(existsSync(work));
  assert.not.ok(existsSync(stamp('good', 'install')));
  assert.ok(existsSync(stamp('top', 'fetch')), "another recipe's stamps stay");
  assert.match((await strata(['clean', 'good'], { cwd: s.dir })).stdout, 'good: nothing to clean');
  // The shared cache is not cleaned: the next build restores from it.
  const again = await strata(['build', 'good'], { cwd: s.dir });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /good: \d+ tasks: 0 run, 1 restored from the cache, 7 not needed/);
  assert.ok(existsSync(join(work, 'packages/good_1_aarch64.ipk')));
});

test.run();

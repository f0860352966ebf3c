import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
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

test('strata clean forgets one recipe: stamps and work folder go, other recipes and downloads stay', async () => {
  const built = await strata(['build', 'good'], { cwd: s.dir });
  assert.is(built.code, 0, built.stderr);
  const work = join(s.dir, 'build/work/board/good-1');
  assert.ok(existsSync(join(work, 'image/usr/share/good')));
  const r = await strata(['clean', 'good'], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'good: removed build/stamps/board/good and build/work/board/good-1');
  assert.not.ok(existsSync(work));
  assert.not.ok(existsSync(stamp('good', 'install')));
  assert.ok(existsSync(stamp('top', 'fetch')), "another recipe's stamps stay");
  assert.match((await strata(['clean', 'good'], { cwd: s.dir })).stdout, 'good: nothing to clean');
  const again = await strata(['build', 'good'], { cwd: s.dir });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /good: \d+ tasks run, 0 up to date/);
});

test.run();

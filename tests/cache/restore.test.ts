import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// A second build folder sharing the first one's cache builds by restoring
// outputs, running no task; a corrupt object in the cache is thrown away and
// the task runs instead.

const tempDir = scratchDirs(test);
const s = layerSet(tempDir, {
  core: {
    'recipes/liba.yaml': 'name: liba\nversion: "1"\ntasks:\n  compile: echo liba > liba.txt\n  install: mkdir -p $D/usr/share && cp liba.txt $D/usr/share/\n',
    'recipes/app.yaml': 'name: app\nversion: "1"\ndepends: [liba]\ntasks:\n  compile: test -f $SYSROOT/usr/share/liba.txt && echo app > app.txt\n  install: mkdir -p $D/usr/bin && cp app.txt $D/usr/bin/app\n',
  },
}, 'cache: shared-cache\n');
const sharedCache = join(s.dir, 'shared-cache');

/** Another project folder, same layers, same cache. */
function secondFolder(): string {
  const dir = tempDir('strata-second-');
  writeTree(dir, { 'strata.yaml': `layers: [${s.layer('core')}]\nmachine: board\ndistro: testdistro\ncache: ${sharedCache}\n` });
  return dir;
}
const ran = (out: string) => [...out.matchAll(/^done {4}(\S+)/gm)].map((m) => m[1]).sort();
const restored = (out: string) => [...out.matchAll(/^cached {2}(\S+)/gm)].map((m) => m[1]).sort();

test('a second folder restores every output it needs and runs nothing', async () => {
  const first = await strata(['build', 'app'], { cwd: s.dir });
  assert.is(first.code, 0, first.stdout + first.stderr);
  assert.ok(readdirSync(sharedCache).length > 0, 'outputs were stored');

  const dir = secondFolder();
  const second = await strata(['build', 'app'], { cwd: dir });
  assert.is(second.code, 0, second.stdout + second.stderr);
  assert.equal(ran(second.stdout), [], 'no task ran');
  // liba's package task is not needed: only app's package task waits for it (for shared libraries), and that one is restored.
  assert.equal(restored(second.stdout), ['app:package']);
  assert.match(second.stdout, /app: \d+ tasks: 0 run, 1 restored from the cache, 15 not needed/);
  assert.ok(existsSync(join(dir, 'build/deploy/ipk/aarch64/app_1_aarch64.ipk')), 'the package is back in the feed');
  const app = JSON.parse(readFileSync(join(dir, 'build/work/board/app-1/packages/app.json'), 'utf8'));
  assert.is(app.files.find((f: { path: string }) => f.path === '/usr/bin/app').sha256, createHash('sha256').update('app\n').digest('hex'));

  const again = await strata(['build', 'app'], { cwd: dir });
  assert.match(again.stdout, /Nothing to do/);
});

test('after a restore, changing one recipe runs what it needs, restoring the rest', async () => {
  const dir = secondFolder();
  writeTree(dir, { 'strata.yaml': readFileSync(join(dir, 'strata.yaml'), 'utf8') + 'vars:\n  APP_FLAG:pn-app: changed\n' });
  // APP_FLAG is not read by any task: still nothing runs.
  const same = await strata(['build', 'app'], { cwd: dir });
  assert.equal(ran(same.stdout), []);
  writeFileSync(join(s.layer('core'), 'recipes/app.yaml'), readFileSync(join(s.layer('core'), 'recipes/app.yaml'), 'utf8').replace('echo app', 'echo app2'));
  const changed = await strata(['build', 'app'], { cwd: dir });
  assert.is(changed.code, 0, changed.stdout + changed.stderr);
  assert.ok(ran(changed.stdout).includes('app:compile'));
  assert.equal(restored(changed.stdout), ['liba:install', 'liba:package'], "app's sysroot needs liba's install and its package task liba's package data, which come from the cache");
  assert.not.ok(ran(changed.stdout).some((t) => t.startsWith('liba:')), 'nothing of liba runs');
});

test('a corrupt cache object is discarded and the task runs instead', async () => {
  const objects = readdirSync(sharedCache, { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
  for (const f of objects) {
    const info = JSON.parse(readFileSync(join(sharedCache, f), 'utf8'));
    if (info.node === 'liba:package') writeFileSync(join(sharedCache, f.replace(/\.json$/, '.tar')), 'not a tar file');
  }
  const dir = secondFolder();
  const r = await strata(['build', 'liba'], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.ok(ran(r.stdout).includes('liba:package'), 'the package task ran');
  assert.ok(existsSync(join(dir, 'build/work/board/liba-1/packages/liba_1_aarch64.ipk')));
  rmSync(dir, { recursive: true, force: true });
});

test.run();

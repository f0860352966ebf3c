import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// strata cache size / prune: objects unused for longer than asked go; a
// build afterwards simply runs what it can no longer restore.

const tempDir = scratchDirs(test);
const s = layerSet(tempDir, { core: { 'recipes/app.yaml': 'name: app\nversion: "1"\ntasks:\n  install: mkdir -p $D/usr/bin && echo app > $D/usr/bin/app\n' } });
const jsons = () => readdirSync(join(s.dir, 'cache'), { recursive: true }).map(String).filter((f) => f.endsWith('.json'));

test('size reports objects and bytes; prune --older-than removes what was not used since', async () => {
  assert.is((await strata(['build', 'app'], { cwd: s.dir })).code, 0);
  const size = await strata(['cache', 'size'], { cwd: s.dir });
  assert.match(size.stdout, /: 2 objects, [\d.]+ KiB; least recently used /);
  const old = jsons()[0];
  const longAgo = new Date(Date.now() - 40 * 86400e3);
  utimesSync(join(s.dir, 'cache', old), longAgo, longAgo);
  const dry = await strata(['cache', 'prune', '--older-than', '30d', '--dry-run'], { cwd: s.dir });
  assert.match(dry.stdout, /^would remove 1 of 2 objects not used for 30d/);
  assert.is(jsons().length, 2);
  // What a build killed while storing an object leaves behind, two hours ago.
  const staging = join(s.dir, 'cache', '.staging-4242-abcd');
  mkdirSync(staging);
  const twoHoursAgo = new Date(Date.now() - 2 * 3600e3);
  utimesSync(staging, twoHoursAgo, twoHoursAgo);
  const pruned = await strata(['cache', 'prune', '--older-than', '30d'], { cwd: s.dir });
  assert.match(pruned.stdout, /^removed 1 of 2 objects not used for 30d, [\d.]+ KiB, and 1 leftovers of interrupted builds/);
  assert.not.ok(existsSync(staging));
  assert.equal(jsons().filter((f) => f === old), []);
  const bad = await strata(['cache', 'prune', '--older-than', 'a while'], { cwd: s.dir });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'like 30d');
  const rebuilt = await strata(['build', 'app'], { cwd: s.dir });
  assert.is(rebuilt.code, 0, 'a pruned cache never breaks a build');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// A full disk under the build folder is a clear error naming the folder; a
// cache that cannot take an object is a warning and the build goes on
// (issue 9). The full disk is a real, tiny tmpfs, so this needs root.

const tempDir = scratchDirs(test);
/** Runs `body` with a tmpfs of `size` mounted on `dir`, unmounted after (before the scratch folders go). */
async function onTinyDisk(dir: string, size: string, body: () => Promise<void>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    await body();
  } finally {
    execFileSync('umount', ['-l', dir]);
  }
}

// install makes 3 MiB, which the package task then copies: a 4 MiB disk holds one copy, not two.
const big = {
  'recipes/big.yaml':
    'name: big\nversion: "1"\nlicense: MIT\ntasks:\n  install: |\n    mkdir -p "$D/usr/share"\n    head -c 3145728 /dev/urandom > "$D/usr/share/blob"\n',
};

if (process.getuid?.() === 0) {
  test('a build folder that fills up fails the task with the folder and the space left, not an internal error', async () => {
    const s = layerSet(tempDir, { core: big }, 'cache: cache\n');
    await onTinyDisk(join(s.dir, 'build'), '4m', async () => {
      const r = await strata(['build', 'big'], { cwd: s.dir });
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.not.match(r.stderr, 'internal error');
      assert.match(r.stderr, /no space left on the device holding \S*build\S* \([\d.]+ MiB free\)/);
    });
  });

  test('a cache that cannot store an object is a warning; the build succeeds', async () => {
    const s = layerSet(tempDir, { core: big }, 'cache: cache\n');
    await onTinyDisk(join(s.dir, 'cache'), '1m', async () => {
      const r = await strata(['build', 'big'], { cwd: s.dir });
      assert.is(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /warning: big:install: its output was not stored in the cache \(.*(ENOSPC|No space left on device|Wrote only)/);
    });
  });
} else {
  test('disk-full cases need root to mount a tiny tmpfs', () => {
    assert.ok(process.getuid?.() !== 0);
  });
}

test.run();

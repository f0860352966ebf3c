import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCache } from '../../core/cache/local-cache.js';
import { treeHashOf } from '../../core/signature/output-hash.js';
import type { SignatureRecord } from '../../core/signature/signature.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';
import { symlinkSync, chmodSync } from 'node:fs';

// The local cache stores task outputs by signature and gives them back
// byte for byte, or not at all: a corrupt or truncated object is thrown
// away and the caller runs the task.

const tempDir = scratchDirs(test);
const RECORD: SignatureRecord = { task: 'app:install', format: 2, vars: {}, files: {}, settings: '', deps: {} };
const SIG = 'ab'.repeat(32);

function outputs() {
  const dir = tempDir('strata-cache-out-');
  const D = join(dir, 'work/app-1/image');
  writeTree(D, { 'usr/bin/app': '#!/bin/sh\necho app\n', 'usr/share/doc/app/README': 'docs\n' });
  chmodSync(join(D, 'usr/bin/app'), 0o755);
  symlinkSync('app', join(D, 'usr/bin/app-link'));
  const manifest = join(dir, 'deploy/app.manifest');
  writeTree(dir, { 'deploy/app.manifest': 'app 1\n' });
  return { D, manifest, paths: [D, manifest] };
}

test('save then restore gives back the same files, modes and links, and the same output hash', async () => {
  const cache = new LocalCache(tempDir('strata-cache-'));
  const { D, manifest, paths } = outputs();
  const output = treeHashOf(paths);
  await cache.save(SIG, { node: 'app:install', record: RECORD, output, paths });
  assert.equal(await cache.lookup(SIG), { output });
  rmSync(D, { recursive: true });
  writeFileSync(manifest, 'something else\n');
  assert.equal(await cache.restore(SIG, paths), { output });
  assert.is(treeHashOf(paths), output);
  assert.is(readFileSync(join(D, 'usr/bin/app'), 'utf8'), '#!/bin/sh\necho app\n');
  assert.is(statSync(join(D, 'usr/bin/app')).mode & 0o777, 0o755);
  assert.is(readlinkSync(join(D, 'usr/bin/app-link')), 'app');
  assert.is(readFileSync(manifest, 'utf8'), 'app 1\n');
});

test('a cache on another filesystem than the build restores too, and keeps its object', async () => {
  if (!existsSync('/dev/shm')) return;
  const cacheDir = mkdtempSync('/dev/shm/strata-cache-');
  try {
    const cache = new LocalCache(cacheDir);
    const { D, paths } = outputs();
    const output = treeHashOf(paths);
    await cache.save(SIG, { node: 'app:install', record: RECORD, output, paths });
    rmSync(D, { recursive: true });
    assert.equal(await cache.restore(SIG, paths), { output });
    assert.is(treeHashOf(paths), output);
    assert.equal(await cache.lookup(SIG), { output }, 'the object is still there');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a corrupt or truncated object is discarded, never used', async () => {
  for (const damage of ['flip', 'truncate'] as const) {
    const cache = new LocalCache(tempDir('strata-cache-'));
    const { D, paths } = outputs();
    const output = treeHashOf(paths);
    await cache.save(SIG, { node: 'app:install', record: RECORD, output, paths });
    const { tar, json } = cache.objectPaths(SIG);
    if (damage === 'flip') {
      const bytes = readFileSync(tar);
      bytes[600] ^= 0xff;
      writeFileSync(tar, bytes);
    } else truncateSync(tar, 1024);
    rmSync(D, { recursive: true });
    assert.is(await cache.restore(SIG, paths), undefined, damage);
    assert.not.ok(existsSync(tar) || existsSync(json), `${damage}: the object is gone`);
    assert.not.ok(existsSync(D), `${damage}: nothing half-restored`);
    assert.is(await cache.lookup(SIG), undefined);
  }
});

test('an object whose tar is fine but whose content does not match its output hash is discarded', async () => {
  const cache = new LocalCache(tempDir('strata-cache-'));
  const { paths } = outputs();
  await cache.save(SIG, { node: 'app:install', record: RECORD, output: 'f'.repeat(64), paths });
  assert.is(await cache.restore(SIG, paths), undefined);
  assert.is(await cache.lookup(SIG), undefined);
});

test.run();

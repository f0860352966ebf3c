import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { listCache } from '../../core/cache/cache-report.js';
import { LocalCache } from '../../core/cache/local-cache.js';
import { pruneCache } from '../../core/cache/prune.js';
import { FakeClock } from '../../core/model/clock.js';
import { treeHashOf } from '../../core/signature/output-hash.js';
import type { SignatureRecord } from '../../core/signature/signature.js';
import { scratchDirs, writeTree } from '../helpers/strata.js';

// `strata cache prune --older-than` measures ages on a clock: a test moves
// a fake one 30 days on instead of waiting or back-dating files.

const tempDir = scratchDirs(test);
const DAY = 86400e3;
const RECORD: SignatureRecord = { task: 'app:install', format: 2, vars: {}, files: {}, settings: '', deps: {} };

async function cacheWithOneObject() {
  const dir = tempDir('strata-prune-');
  const D = join(dir, 'work/image');
  writeTree(D, { 'usr/bin/app': 'app\n' });
  const cache = new LocalCache(join(dir, 'cache'));
  const signature = 'cd'.repeat(32);
  await cache.save(signature, { node: 'app:install', record: RECORD, output: treeHashOf([D]), paths: [D] });
  return { cache, signature, dir: cache.dir, now: Date.now() };
}

test('an object used now stays for 29 days and goes on the 31st; --dry-run only counts it', async () => {
  const { cache, signature, dir, now } = await cacheWithOneObject();
  const clock = new FakeClock(now + 29 * DAY);
  assert.equal((await pruneCache(dir, 30 * DAY, { clock })).old, []);
  assert.ok(await cache.lookup(signature));
  clock.advance(2 * DAY);
  const dry = await pruneCache(dir, 30 * DAY, { clock, dryRun: true });
  assert.equal(
    dry.old.map((e) => e.signature),
    [signature],
  );
  assert.ok(await cache.lookup(signature), 'a dry run removes nothing');
  const pruned = await pruneCache(dir, 30 * DAY, { clock });
  assert.equal(
    pruned.old.map((e) => e.signature),
    [signature],
  );
  assert.is(await cache.lookup(signature), undefined);
  assert.equal(listCache(dir), []);
});

test('leftovers of a killed build go once they are an hour old by the clock, not before', async () => {
  const { dir, now } = await cacheWithOneObject();
  const staging = join(dir, '.staging-4242-abcd');
  mkdirSync(staging);
  const at = new Date(now);
  utimesSync(staging, at, at);
  const clock = new FakeClock(now + 30 * 60e3);
  assert.equal((await pruneCache(dir, 30 * DAY, { clock })).leftovers, []);
  assert.ok(existsSync(staging), 'a build running now may own it');
  clock.advance(31 * 60e3);
  assert.equal((await pruneCache(dir, 30 * DAY, { clock })).leftovers, [staging]);
  assert.not.ok(existsSync(staging));
  assert.is(listCache(dir).length, 1, 'the object, used an hour ago, stays');
});

test('the fake clock only moves forward, by what it is told', () => {
  const clock = new FakeClock(5);
  clock.advance(10);
  assert.is(clock.now(), 15);
  assert.throws(() => clock.advance(-1), /does not go back/);
  assert.throws(() => clock.advance(NaN), /does not go back/);
});

test.run();

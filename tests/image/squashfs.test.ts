import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SquashfsWriter } from '../../core/image/write-squashfs.js';
import { scratchDirs } from '../helpers/strata.js';
import { BIG, EPOCH, HELLO, LONG_NAME, fixtureTree } from './image-fixture.js';

// squashfs checked by unsquashfs: -lln lists owners, modes, devices and
// times from the tree; -cat gives back the bytes; -s shows the fixed time.

const tempDir = scratchDirs(test);
const unsquashfs = (args: string[]): Buffer =>
  execFileSync('unsquashfs', args, { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });

async function image(): Promise<string> {
  const dir = tempDir('strata-squashfs-');
  const out = join(dir, 'root.squashfs');
  await new SquashfsWriter().write(fixtureTree(dir), out, EPOCH);
  return out;
}

test('unsquashfs -lln shows every entry with the owners, modes and devices of the tree', async () => {
  const lines = unsquashfs(['-lln', await image()])
    .toString()
    .trim()
    .split('\n');
  const rows = new Map(
    lines.map((l) => {
      const f = l.split(/ +/);
      return [l.slice(l.indexOf('squashfs-root')).replace(/ -> .*/, ''), f];
    }),
  );
  const row = (p: string) => rows.get(`squashfs-root${p}`)!;
  assert.equal(row('').slice(0, 2), ['drwxr-xr-x', '0/0']);
  assert.equal(row('/bin/hello').slice(0, 3), ['-rwsr-xr-x', '0/0', String(HELLO.length)]);
  assert.equal(row('/dev/console').slice(0, 4), ['crw-------', '0/0', '5,', '1']);
  assert.equal(row('/dev/sda').slice(0, 4), ['brw-rw----', '0/6', '8,', '0']);
  assert.equal(row('/dev/initctl').slice(0, 2), ['prw-------', '0/0']);
  assert.equal(row('/etc/empty').slice(0, 3), ['-rw-r-----', '0/42', '0']);
  assert.equal(row('/home/user').slice(0, 2), ['drwxr-x---', '1000/1000']);
  assert.equal(row('/tmp').slice(0, 2), ['drwxrwxrwt', '0/0']);
  assert.ok(rows.has(`squashfs-root/etc/${LONG_NAME}`));
  assert.ok(lines.some((l) => l.endsWith('squashfs-root/bin/sh -> hello')));
  for (const l of lines) assert.match(l, / 2024-01-01 00:00 /, `one time for all: ${l}`);
});

test('unsquashfs -cat gives back the bytes; the super block has the epoch', async () => {
  const img = await image();
  assert.is(unsquashfs(['-cat', img, 'bin/hello']).toString(), HELLO);
  assert.ok(unsquashfs(['-cat', img, 'home/user/big file']).equals(BIG));
  assert.is(unsquashfs(['-cat', img, 'etc/motd']).toString(), 'welcome\n');
  assert.match(unsquashfs(['-s', img]).toString(), /Creation or last append time Mon Jan {2}1 00:00:00 2024/);
});

test.run();

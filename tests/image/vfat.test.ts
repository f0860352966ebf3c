import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ImageTreeError, type ImageEntry } from '../../core/image/image-tree.js';
import { VfatWriter } from '../../core/image/write-vfat.js';
import { scratchDirs } from '../helpers/strata.js';
import { BIG, EPOCH, HELLO, fixtureTree } from './image-fixture.js';

// vfat checked with dosfstools (fsck.vfat -n) and mtools (mdir, mtype):
// the files and folders of the tree, their times, the label and volume id.

const tempDir = scratchDirs(test);
const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C', MTOOLS_SKIP_CHECK: '1' };
const run = (tool: string, args: string[]): Buffer => execFileSync(tool, args, { env, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });

const filesOnly = (dir: string): ImageEntry[] => fixtureTree(dir).filter((e) => e.type === 'file' || e.type === 'dir');

async function image(options = {}): Promise<string> {
  const dir = tempDir('strata-vfat-');
  const out = join(dir, 'boot.vfat');
  await new VfatWriter().write(filesOnly(dir), out, EPOCH, options);
  return out;
}

test('fsck.vfat -n finds nothing to fix', async () => {
  const out = run('fsck.vfat', ['-n', await image({ label: 'boot' })]).toString();
  assert.match(out, /boot\.vfat: \d+ files, \d+\/\d+ clusters/);
});

test('mtype gives back the bytes; mdir shows names, times, the label and a volume id from the seed', async () => {
  const img = await image({ label: 'boot', seed: 'x' });
  assert.is(run('mtype', ['-i', img, '::/bin/hello']).toString(), HELLO);
  assert.ok(run('mtype', ['-i', img, '::/home/user/big file']).equals(BIG));
  assert.is(run('mtype', ['-i', img, '::/etc/motd']).toString(), 'welcome\n');
  const root = run('mdir', ['-i', img, '::/']).toString();
  assert.match(root, /Volume in drive : is BOOT/);
  const other = run('mdir', ['-i', await image({ label: 'boot', seed: 'y' }), '::/']).toString();
  const serial = (s: string) => /Serial Number is (\S+)/.exec(s)![1];
  assert.is.not(serial(root), serial(other));
  assert.match(root, /etc +<DIR> +2024-01-01 +0:00/);
  assert.match(run('mdir', ['-i', img, '::/home']).toString(), /user +<DIR> +2023-12-31 +23:00/);
  assert.match(run('mdir', ['-i', img, '::/home/user']).toString(), /big file/);
});

const REFUSED: [string, ImageEntry, RegExp][] = [
  ['a symlink', { path: '/link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'x' }, /vfat cannot hold symlink '\/link'/],
  ['a device node', { path: '/null', type: 'chardev', mode: 0o666, uid: 0, gid: 0, major: 1, minor: 3 }, /vfat cannot hold chardev '\/null'/],
  [
    'names that differ only in case',
    { path: '/BIN', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    /'\/bin' and '\/BIN' are the same name|'\/BIN' and '\/bin' are the same name/,
  ],
];
for (const [what, entry, message] of REFUSED) {
  test(`refused: ${what}, and no image is left`, async () => {
    const dir = tempDir('strata-vfat-');
    const out = join(dir, 'boot.vfat');
    const err = await new VfatWriter().write([...filesOnly(dir), entry], out, EPOCH).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(err, ImageTreeError);
    assert.match(err!.message, message);
    assert.not.ok(existsSync(out));
  });
}

test.run();

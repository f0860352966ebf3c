import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ext4Writer } from '../../core/image/write-ext4.js';
import { scratchDirs } from '../helpers/strata.js';
import { BIG, EPOCH, HELLO, LONG_NAME, fixtureTree } from './image-fixture.js';

// ext4 checked by e2fsprogs itself: e2fsck -fn finds nothing to fix, and
// debugfs shows the tree's owners, modes, device numbers and times.

const tempDir = scratchDirs(test);
const run = (tool: string, args: string[]): string =>
  execFileSync(tool, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
const debugfs = (img: string, cmd: string): string => run('debugfs', ['-R', cmd, img]);

async function image(options = {}): Promise<string> {
  const dir = tempDir('strata-ext4-');
  const out = join(dir, 'root.ext4');
  await new Ext4Writer().write(fixtureTree(dir), out, EPOCH, options);
  return out;
}

function inode(img: string, path: string): { type: string; mode: string; user: number; group: number; mtime: string; device?: string } {
  const s = debugfs(img, `stat "${path}"`);
  const m = /Type: (\S+( special)?)\s+Mode:\s+(\d+)/.exec(s)!;
  const owner = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(s)!;
  return {
    type: m[1],
    mode: m[3],
    user: Number(owner[1]),
    group: Number(owner[2]),
    mtime: /^ mtime: 0x([0-9a-f]+)/m.exec(s)![1],
    device: /Device major\/minor number: (\S+ \S+)/.exec(s)?.[1] ?? /Device major\/minor number: ([^\n]+)/.exec(s)?.[1],
  };
}

test('e2fsck -fn finds a clean file system', async () => {
  const img = await image();
  run('e2fsck', ['-fn', img]); // throws on a non-zero exit
});

test('debugfs stat shows owners, modes and types from the tree', async () => {
  const img = await image();
  const hex = (t: number) => t.toString(16);
  const want: [string, string, string, number, number][] = [
    ['/', 'directory', '0755', 0, 0],
    ['/bin', 'directory', '0755', 0, 0],
    ['/bin/hello', 'regular', '04755', 0, 0],
    ['/etc/motd', 'regular', '0644', 0, 0],
    ['/etc/empty', 'regular', '0640', 0, 42],
    ['/bin/sh', 'symlink', '0777', 0, 0],
    ['/dev/console', 'character special', '0600', 0, 0],
    ['/dev/sda', 'block special', '0660', 0, 6],
    ['/dev/initctl', 'FIFO', '0600', 0, 0],
    ['/home/user', 'directory', '0750', 1000, 1000],
    ['/home/user/big file', 'regular', '0600', 1000, 1000],
    ['/tmp', 'directory', '01777', 0, 0],
  ];
  for (const [path, type, mode, user, group] of want) {
    const i = inode(img, path);
    assert.equal([i.type, i.mode, i.user, i.group], [type, mode, user, group], path);
  }
  assert.is(inode(img, '/home/user').mtime, hex(EPOCH - 3600), 'its own time');
  assert.is(inode(img, '/tmp').mtime, hex(EPOCH), 'clamped to the epoch');
  assert.is(inode(img, '/etc/motd').mtime, hex(EPOCH));
  assert.match(debugfs(img, 'stat /dev/console'), /Device major\/minor number: 05:01/);
  assert.match(debugfs(img, 'stat /dev/sda'), /Device major\/minor number: 08:00/);
});

test('debugfs cat gives back the bytes; the symlink points where it should', async () => {
  const img = await image();
  assert.is(debugfs(img, 'cat /bin/hello'), HELLO);
  assert.is(debugfs(img, 'cat /etc/motd'), 'welcome\n');
  assert.is(debugfs(img, `cat "/etc/${LONG_NAME}"`), 'long\n');
  const dir = tempDir('strata-ext4-dump-');
  run('debugfs', ['-R', `dump "/home/user/big file" ${join(dir, 'big')}`, img]);
  assert.ok(readFileSync(join(dir, 'big')).equals(BIG));
  assert.match(debugfs(img, 'stat /bin/sh'), /Fast link dest: "hello"/);
});

test('label, UUID and hash seed are set; the seed decides the UUID; times are the epoch', async () => {
  const a = run('dumpe2fs', ['-h', await image({ label: 'rootfs', seed: 'one' })]);
  const b = run('dumpe2fs', ['-h', await image({ label: 'rootfs', seed: 'two' })]);
  const field = (s: string, name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(s)?.[1];
  assert.is(field(a, 'Filesystem volume name'), 'rootfs');
  assert.is.not(field(a, 'Filesystem UUID'), field(b, 'Filesystem UUID'));
  assert.is.not(field(a, 'Directory Hash Seed'), field(b, 'Directory Hash Seed'));
  assert.is(field(a, 'Filesystem created'), 'Mon Jan  1 00:00:00 2024');
  assert.is(field(a, 'Last write time'), 'Mon Jan  1 00:00:00 2024');
});

test('a size too small for the tree fails and leaves no image', async () => {
  const dir = tempDir('strata-ext4-');
  const out = join(dir, 'root.ext4');
  const tree = [...fixtureTree(dir), { path: '/huge', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, content: Buffer.alloc(3 << 20, 1) }];
  const err = await new Ext4Writer().write(tree, out, EPOCH, { sizeBytes: 2 << 20 }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err, 'write failed');
  assert.match(err!.message, /debugfs could not fill .*huge|No free space|Could not allocate/);
  assert.throws(() => readFileSync(out));
});

test.run();

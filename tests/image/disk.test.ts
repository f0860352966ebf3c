import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiskDescription } from '../../core/image/disk/disk-description.js';
import { DiskError, DiskWriter, diskIds, writeDisk } from '../../core/image/disk/write-disk.js';
import { scratchDirs } from '../helpers/strata.js';
import { EPOCH, HELLO, fixtureTree } from './image-fixture.js';

// A bootable disk as a board boots it: a FAT boot partition with a kernel
// and extlinux/extlinux.conf, an ext4 root, a bootloader blob at a raw
// offset. Checked with sfdisk --dump and sgdisk -v (util-linux, gdisk),
// then each partition cut out with dd and checked by its own fsck.

const tempDir = scratchDirs(test);
const MiB = 1 << 20;
const run = (tool: string, args: string[], cwd?: string): string =>
  execFileSync(tool, args, {
    cwd,
    encoding: 'latin1',
    maxBuffer: 1 << 26,
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const EXTLINUX = 'default linux\nlabel linux\n  kernel /Image\n  fdt /board.dtb\n  append root=/dev/vda2 rw\n';

function board(dir: string, table: 'gpt' | 'mbr'): DiskDescription {
  writeFileSync(join(dir, 'Image'), Buffer.alloc(2 * MiB + 123, 0x5a));
  writeFileSync(join(dir, 'board.dtb'), Buffer.from('\xd0\x0d\xfe\xedfake-dtb', 'latin1'));
  writeFileSync(join(dir, 'spl.bin'), Buffer.alloc(24 * 1024, 0xa5));
  return {
    name: 'test-board',
    table,
    size: '96MiB',
    raw: [{ name: 'spl', file: join(dir, 'spl.bin'), offset: '32K' }],
    partitions: [
      {
        label: 'boot',
        fs: 'vfat',
        size: '16MiB',
        bootable: true,
        content: {
          kind: 'files',
          files: [
            { path: '/Image', source: join(dir, 'Image') },
            { path: '/board.dtb', source: join(dir, 'board.dtb') },
            { path: '/extlinux/extlinux.conf', content: EXTLINUX },
          ],
        },
      },
      { label: 'root', fs: 'ext4', size: 'fill', type: table === 'gpt' ? 'root-arm64' : undefined, content: { kind: 'rootfs' } },
    ],
  };
}

/** sfdisk --dump's partition lines as records. */
function dump(img: string): { text: string; parts: Record<string, string>[] } {
  const text = run('sfdisk', ['--dump', img]);
  const parts = text
    .split('\n')
    .filter((l) => l.includes(' : '))
    .map((l) =>
      Object.fromEntries(
        l
          .split(' : ')[1]
          .split(', ')
          .map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1).replace(/"/g, '')] : [kv, 'yes'])),
      ),
    );
  return { text, parts };
}

function extract(img: string, p: Record<string, string>, to: string): string {
  run('dd', [`if=${img}`, `of=${to}`, 'bs=512', `skip=${p.start.trim()}`, `count=${p.size.trim()}`, 'status=none']);
  return to;
}

test('GPT: sfdisk and sgdisk read the table; ids are the ones diskIds promised; each partition passes its fsck', async () => {
  const dir = tempDir('strata-disk-');
  const d = board(dir, 'gpt');
  const img = join(dir, 'disk.img');
  await writeDisk(d, fixtureTree(dir), img, EPOCH, 'seed-1');
  assert.is(statSync(img).size, 96 * MiB);
  const { text, parts } = dump(img);
  const ids = diskIds(d, 'seed-1');
  assert.match(text, /^label: gpt$/m);
  assert.match(text, new RegExp(`^label-id: ${ids.diskGuid.toUpperCase()}$`, 'm'));
  assert.is(parts.length, 2);
  assert.equal(
    [parts[0].start.trim(), parts[0].size.trim(), parts[0].type, parts[0].name, parts[0].attrs],
    ['2048', '32768', 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7', 'boot', 'LegacyBIOSBootable'],
  );
  assert.equal(
    [parts[1].start.trim(), parts[1].type, parts[1].name, parts[1].uuid],
    ['34816', 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE', 'root', ids.partUuids[1].toUpperCase()],
  );
  assert.match(run('sgdisk', ['-v', img]), /No problems found/);
  const boot = extract(img, parts[0], join(dir, 'boot.vfat'));
  run('fsck.vfat', ['-n', boot]);
  assert.is(run('mtype', ['-i', boot, '::/extlinux/extlinux.conf']), EXTLINUX);
  assert.ok(Buffer.from(run('mtype', ['-i', boot, '::/Image']), 'latin1').equals(readFileSync(join(dir, 'Image'))), 'the kernel, byte for byte');
  const root = extract(img, parts[1], join(dir, 'root.ext4'));
  run('e2fsck', ['-fn', root]);
  assert.is(run('debugfs', ['-R', 'cat /bin/hello', root]), HELLO);
  assert.match(run('debugfs', ['-R', 'stat /home/user', root]), /User:\s+1000\s+Group:\s+1000/);
  const raw = readFileSync(img).subarray(32 * 1024, 56 * 1024);
  assert.ok(raw.equals(Buffer.alloc(24 * 1024, 0xa5)), 'the raw write is at its offset');
});

test('MBR: sfdisk reads types, the active flag and the disk signature; partitions pass fsck', async () => {
  const dir = tempDir('strata-disk-');
  const d = board(dir, 'mbr');
  const img = join(dir, 'disk.img');
  await new DiskWriter().write(fixtureTree(dir), img, EPOCH, { disk: d, seed: 'seed-1' });
  const { text, parts } = dump(img);
  assert.match(text, /^label: dos$/m);
  assert.match(text, new RegExp(`^label-id: 0x${diskIds(d, 'seed-1').mbrSignature}$`, 'm'));
  assert.equal([parts[0].type, parts[0].bootable, parts[1].type], ['c', 'yes', '83']);
  run('fsck.vfat', ['-n', extract(img, parts[0], join(dir, 'boot.vfat'))]);
  run('e2fsck', ['-fn', extract(img, parts[1], join(dir, 'root.ext4'))]);
  assert.match(run('blkid', ['-p', '-o', 'export', img]), /PTTYPE=dos/);
});

test('a description that cannot be laid out throws every issue and leaves nothing behind', async () => {
  const dir = tempDir('strata-disk-');
  const d = board(dir, 'gpt');
  const bad: DiskDescription = { ...d, size: '8MiB', partitions: [d.partitions[0], { ...d.partitions[1], size: '64MiB' }] };
  const img = join(dir, 'disk.img');
  const err = await writeDisk(bad, fixtureTree(dir), img, EPOCH).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, DiskError);
  assert.ok((err as DiskError).issues.some((i) => i.code === 'disk-partition-too-big' && i.index === 1 && /partition 'root'/.test(i.message)));
  assert.ok(
    (err as DiskError).issues.some((i) => i.code === 'disk-partition-too-big' && i.index === 0),
    'boot does not fit either',
  );
  assert.not.ok(existsSync(img));
  assert.equal(
    readdirSync(dir).filter((n) => n.startsWith('.')),
    [],
    'no scratch files left',
  );
});

test('a missing raw file or raw partition content is an issue naming it', async () => {
  const dir = tempDir('strata-disk-');
  const d = board(dir, 'mbr');
  const bad: DiskDescription = {
    ...d,
    raw: [{ name: 'spl', file: join(dir, 'no-spl.bin'), offset: '32K' }],
    partitions: [...d.partitions.slice(0, 1), { label: 'fw', fs: 'none', size: '1MiB', content: { kind: 'raw', file: join(dir, 'no-fw.bin') } }],
  };
  const err = await writeDisk(bad, fixtureTree(dir), join(dir, 'disk.img'), EPOCH, 's').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, DiskError);
  assert.equal(
    (err as DiskError).issues.map((i) => [i.code, i.index, i.raw ?? false]),
    [
      ['disk-file', 1, false],
      ['disk-file', 0, true],
    ],
  );
  assert.match((err as DiskError).message, /raw write 'spl': .*no-spl\.bin is not a readable file/);
});

test('the disk type needs a description', async () => {
  const dir = tempDir('strata-disk-');
  const err = await new DiskWriter().write(fixtureTree(dir), join(dir, 'x.img'), EPOCH).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, DiskError);
  assert.match((err as Error).message, /needs a disk description/);
});

test.run();

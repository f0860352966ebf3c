import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageEntry } from '../../core/image/image-tree.js';
import { VfatWriter } from '../../core/image/write-vfat.js';
import { scratchDirs } from '../helpers/strata.js';
import { EPOCH } from './image-fixture.js';

// The in-process FAT filler (core/image/fat-fill.ts) against the tools a
// user would check a FAT with: the same tree written as FAT12, FAT16 and
// FAT32 (mkfs.vfat picks by size), each passing `fsck.vfat -n` and read back
// whole by mtools (`mcopy -s`, UTF-8 names) into the same files; names that
// need long entries and aliases, lowercase 8.3 names kept short, a folder
// of more than one cluster of entries, and the limits as errors.

const tempDir = scratchDirs(test);
const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' };

const NAMES = [
  'README',
  'readme.txt',
  'Makefile',
  'big file',
  '.hidden',
  'a.b.c',
  'verylongfilename.extension',
  'verylongfilename2.extension',
  'UPPER.TXT',
  'x.tar.gz',
  'ünïcode',
  'MiXeD.Txt',
  'a+b',
  '1234',
  'vmlinuz',
  'boot.scr',
];

/** A host folder and the same tree as image entries (files and folders, path order). */
function hostTree(dir: string, extraRoot = 0): { src: string; entries: ImageEntry[] } {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sub/many'), { recursive: true });
  NAMES.forEach((n, i) => {
    writeFileSync(join(src, n), `content of ${n}\n`.repeat(i * 40));
    writeFileSync(join(src, 'sub', n), n);
  });
  writeFileSync(join(src, 'sub/many/empty'), '');
  // 150 entries with long names: a folder several clusters long.
  for (let i = 0; i < 150; i++) writeFileSync(join(src, 'sub/many', `file-number-${i}.data`), 'x'.repeat(i * 37));
  for (let i = 0; i < extraRoot; i++) writeFileSync(join(src, `r${i}`), String(i));
  const entries: ImageEntry[] = [{ path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 }];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(src, rel))) {
      const p = rel ? `${rel}/${n}` : n;
      const dir = statSync(join(src, p)).isDirectory();
      entries.push(
        dir ? { path: `/${p}`, type: 'dir', mode: 0o755, uid: 0, gid: 0 } : { path: `/${p}`, type: 'file', mode: 0o644, uid: 0, gid: 0, source: join(src, p) },
      );
      if (dir) walk(p);
    }
  };
  walk('');
  return { src, entries };
}

for (const [fat, size] of [
  ['FAT12', 4 << 20],
  ['FAT16', 64 << 20],
  ['FAT32', 600 << 20],
] as const) {
  test(`${fat}: fsck.vfat -n is clean and mtools reads back every file and name`, async () => {
    const dir = tempDir('strata-fat-');
    const { src, entries } = hostTree(dir);
    const img = join(dir, 'fs.vfat');
    await new VfatWriter().write(entries, img, EPOCH, { sizeBytes: size, label: 'boot' });
    const info = execFileSync('file', ['-b', img], { encoding: 'utf8' });
    assert.match(info, fat === 'FAT32' ? 'FAT (32 bit)' : fat === 'FAT16' ? 'FAT (16 bit)' : 'FAT (12 bit)');
    const fsck = spawnSync('fsck.vfat', ['-n', img], { env, encoding: 'utf8' });
    assert.is(fsck.status, 0, fsck.stdout + fsck.stderr);
    const back = join(dir, 'back');
    mkdirSync(back);
    execFileSync('mcopy', ['-s', '-n', '-i', img, '::/*', back], { env });
    const diff = spawnSync('diff', ['-r', src, back], { encoding: 'utf8' });
    assert.is(diff.status, 0, diff.stdout);
    // Lowercase 8.3 names are short entries with the case flags; others get an alias and their long name.
    const root = execFileSync('mdir', ['-i', img, '::/'], { env, encoding: 'utf8' });
    assert.match(root, /^vmlinuz +\d+ /m);
    assert.match(root, /^boot +scr +\d+ /m);
    assert.match(root, /^BIGFIL~1 +\d+ .* big file$/m);
    assert.match(root, /^VERYLO~2 EXT +\d+ .* verylongfilename2\.extension$/m);
    assert.match(root, /Volume in drive : is BOOT/);
  });
}

test('the limits are errors and leave no image: the FAT16 root folder, and the size', async () => {
  const dir = tempDir('strata-fat-');
  const crowded = hostTree(dir, 520).entries;
  const out = join(dir, 'root.vfat');
  const err = await new VfatWriter().write(crowded, out, EPOCH, { sizeBytes: 64 << 20 }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(err?.message ?? '', /is too small \(67108864 bytes\): its root folder holds 512 entries and the tree puts \d+ there/);
  assert.not.ok(existsSync(out));
  // FAT32 has no such limit.
  await new VfatWriter().write(crowded, out, EPOCH, { sizeBytes: 600 << 20 });
  assert.is(spawnSync('fsck.vfat', ['-n', out], { env }).status, 0);

  const big = join(dir, 'big');
  writeFileSync(big, Buffer.alloc(3 << 20, 1));
  const tooBig: ImageEntry[] = [{ path: '/big', type: 'file', mode: 0o644, uid: 0, gid: 0, source: big }];
  const small = join(dir, 'small.vfat');
  const e2 = await new VfatWriter().write(tooBig, small, EPOCH, { sizeBytes: 2 << 20 }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(e2?.message ?? '', /is too small \(2097152 bytes\): its files and folders need more than its \d+ clusters/);
  assert.not.ok(existsSync(small));
});

test('names FAT cannot hold are refused before anything is written', async () => {
  for (const bad of ['a:b', 'what?', 'x'.repeat(256), 'tab\there']) {
    const dir = tempDir('strata-fat-');
    const out = join(dir, 'bad.vfat');
    const err = await new VfatWriter().write([{ path: `/${bad}`, type: 'file', mode: 0o644, uid: 0, gid: 0, content: 'x' }], out, EPOCH).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(err?.message ?? '', 'vfat cannot hold the name', bad);
    assert.not.ok(existsSync(out));
  }
});

test.run();

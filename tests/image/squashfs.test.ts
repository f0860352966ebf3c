import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageEntry } from '../../core/image/image-tree.js';
import { SquashfsWriter } from '../../core/image/write-squashfs.js';
import { scratchDirs } from '../helpers/strata.js';
import { BIG, EPOCH, HELLO, LONG_NAME, fixtureTree } from './image-fixture.js';

// squashfs checked by unsquashfs: -lln lists owners, modes, devices and
// times from the tree; -cat gives back the bytes; -s shows the fixed time.
// Strata writes the image itself (core/image/squashfs/); a second table
// below covers what the fixture does not: every size around a block,
// duplicates, large directories, and input that cannot be written.

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
  // Each entry keeps its own time, clamped to the epoch (/tmp's later one is).
  assert.match(rows.get('squashfs-root/home/user')!.join(' '), / 2023-12-31 23:00 /);
  for (const l of lines.filter((x) => !x.endsWith('/home/user'))) assert.match(l, / 2024-01-01 00:00 /, `the epoch: ${l}`);
});

test('unsquashfs -cat gives back the bytes; the super block has the epoch', async () => {
  const img = await image();
  assert.is(unsquashfs(['-cat', img, 'bin/hello']).toString(), HELLO);
  assert.ok(unsquashfs(['-cat', img, 'home/user/big file']).equals(BIG));
  assert.is(unsquashfs(['-cat', img, 'etc/motd']).toString(), 'welcome\n');
  assert.match(unsquashfs(['-s', img]).toString(), /Creation or last append time Mon Jan {2}1 00:00:00 2024/);
});

const BLOCK = 128 * 1024;
/** Deterministic bytes that do not compress (so blocks are stored as they are) or do. */
const noise = (n: number, seed: string): Buffer => {
  const out = Buffer.alloc(n);
  for (let o = 0; o < n; o += 32) createHash('sha256').update(`${seed}:${o}`).digest().copy(out, o);
  return out;
};

function sourced(dir: string, path: string, bytes: Buffer, extra: Partial<ImageEntry> = {}): ImageEntry {
  const source = join(dir, path.replace(/\//g, '_'));
  writeFileSync(source, bytes);
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, source, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), ...extra };
}

test('every size around a block, duplicates and a directory of 700 entries come back byte for byte', async () => {
  const dir = tempDir('strata-squashfs-sizes-');
  const root = { uid: 0, gid: 0 };
  const sizes = [0, 1, 4095, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 7];
  const entries: ImageEntry[] = [
    { path: '/', type: 'dir', mode: 0o755, ...root },
    { path: '/s', type: 'dir', mode: 0o755, ...root },
    { path: '/many', type: 'dir', mode: 0o755, ...root },
    ...sizes.map((n) => sourced(dir, `/s/noise-${n}`, noise(n, `n${n}`))),
    ...sizes.map((n) => sourced(dir, `/s/text-${n}`, Buffer.alloc(n, 'text '))),
    // Same bytes as noise-131073, another path: stored once, read back twice.
    sourced(dir, '/s/copy', noise(BLOCK + 1, `n${BLOCK + 1}`), { mode: 0o600, uid: 7 }),
    { path: '/s/inline', type: 'file', mode: 0o644, ...root, content: 'inline\n' },
    // 700 entries with long names: more than 256 entries a run and a listing over 64 KiB (an extended directory inode).
    ...Array.from({ length: 700 }, (_, i) => sourced(dir, `/many/${String(i).padStart(3, '0')}-${'n'.repeat(120)}`, Buffer.from(`${i}\n`))),
  ];
  const out = join(dir, 'sizes.squashfs');
  await new SquashfsWriter().write(entries, out, EPOCH);
  const back = join(dir, 'back');
  unsquashfs(['-q', '-n', '-d', back, out]);
  for (const e of entries.filter((x) => x.type === 'file')) {
    const want = e.content !== undefined ? Buffer.from(e.content) : readFileSync(e.source!);
    assert.ok(readFileSync(join(back, e.path)).equals(want), e.path);
  }
  const listing = unsquashfs(['-lln', out]).toString();
  assert.match(listing, /-rw------- 7\/0 +131073 .* squashfs-root\/s\/copy\n/);
  assert.is(listing.split('\n').filter((l) => l.includes('squashfs-root/many/')).length, 700);
  // Stored once: the image is smaller than the two copies of the 128 KiB of noise.
  const stat = unsquashfs(['-s', out]).toString();
  assert.match(stat, /Duplicates are removed/);
});

test('the same tree gives the same bytes, whatever the host files are called', async () => {
  const a = tempDir('strata-squashfs-a-');
  const b = tempDir('strata-squashfs-b-');
  const tree = (dir: string): ImageEntry[] => [
    { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    sourced(dir, '/x', noise(3 * BLOCK + 5, 'x')),
    sourced(dir, '/y', Buffer.from('y\n')),
  ];
  await new SquashfsWriter().write(tree(a), join(a, 'i'), EPOCH);
  await new SquashfsWriter().write(tree(b), join(b, 'i'), EPOCH);
  assert.ok(readFileSync(join(a, 'i')).equals(readFileSync(join(b, 'i'))));
});

test('tables over one metadata block: 3,000 owners (the id table) and 600 fragments (the fragment table)', async () => {
  const dir = tempDir('strata-squashfs-tables-');
  const root = { uid: 0, gid: 0 };
  // 2,048 ids fill a metadata block of the id table; 512 fragment entries one of the fragment table.
  const owned = Array.from({ length: 1500 }, (_, i): ImageEntry => ({
    path: `/o/${i}`,
    type: 'file',
    mode: 0o640,
    uid: 10_000 + i,
    gid: 20_000 + i,
    content: `${i}\n`,
  }));
  // Tails of 100 KiB of noise: one fragment block each, as two do not fit one 128 KiB block.
  const tails = Array.from({ length: 600 }, (_, i) => sourced(dir, `/t/${i}`, noise(100 * 1024, `t${i}`)));
  const entries: ImageEntry[] = [
    { path: '/', type: 'dir', mode: 0o755, ...root },
    { path: '/o', type: 'dir', mode: 0o755, ...root },
    { path: '/t', type: 'dir', mode: 0o755, ...root },
    ...owned,
    ...tails,
  ];
  const out = join(dir, 'tables.squashfs');
  await new SquashfsWriter().write(entries, out, EPOCH);
  const stat = unsquashfs(['-s', out]).toString();
  assert.match(stat, /Number of fragments 600\n/);
  assert.match(stat, /Number of ids\b[^\n]* 3001\n/);
  const owners = new Map(
    unsquashfs(['-lln', out])
      .toString()
      .split('\n')
      .filter((l) => l.includes('squashfs-root/o/'))
      .map((l) => [l.slice(l.indexOf('squashfs-root/o/') + 16), l.split(/ +/)[1]]),
  );
  assert.is(owners.size, 1500);
  for (const e of owned) assert.is(owners.get(e.path.slice(3)), `${e.uid}/${e.gid}`, e.path);
  const back = join(dir, 'back');
  unsquashfs(['-q', '-n', '-d', back, out]);
  for (const e of tails) assert.ok(readFileSync(join(back, e.path)).equals(readFileSync(e.source!)), e.path);
});

const BAD: { name: string; entry: (dir: string) => ImageEntry; said: RegExp }[] = [
  {
    name: 'a source that grew after the manifest was made',
    entry: (dir) => ({ ...sourced(dir, '/grew', Buffer.from('abc')), size: 2 }),
    said: /image file '\/grew' .* changed size while it was read/,
  },
  {
    name: 'a source that shrank',
    entry: (dir) => ({ ...sourced(dir, '/shrank', Buffer.from('abc')), size: 2 * BLOCK }),
    said: /image file '\/shrank' .* changed size while it was read/,
  },
  {
    name: 'a name over 256 bytes',
    entry: () => ({ path: `/${'x'.repeat(257)}`, type: 'file', mode: 0o644, uid: 0, gid: 0, content: 'x' }),
    said: /at most 256 bytes/,
  },
];

test('65,535 owners and groups fit (the super block counts them in 16 bits); one more is refused, naming an entry, nothing left behind', async () => {
  const dir = tempDir('strata-squashfs-ids-');
  // The root brings id 0 (its uid and gid); entry i brings uid 100000+i and gid 200000+i.
  const tree = (n: number): ImageEntry[] => [
    { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    ...Array.from({ length: n }, (_, i): ImageEntry => ({ path: `/${i}`, type: 'file', mode: 0o644, uid: 100_000 + i, gid: 200_000 + i, content: '' })),
  ];
  const fits = join(dir, 'fits.squashfs');
  await new SquashfsWriter().write(tree(32_767), fits, EPOCH);
  assert.match(unsquashfs(['-s', fits]).toString(), /Number of ids\b[^\n]* 65535\n/);
  const out = join(dir, 'ids.squashfs');
  const err = await new SquashfsWriter().write(tree(32_768), out, EPOCH).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err, 'the write failed');
  assert.match(err!.message, /^image entry '\/\d+': squashfs holds at most 65535 distinct owners and groups/);
  assert.throws(() => readFileSync(out), /ENOENT/);
});

for (const bad of BAD) {
  test(`refused, nothing left under the final name: ${bad.name}`, async () => {
    const dir = tempDir('strata-squashfs-bad-');
    const out = join(dir, 'bad.squashfs');
    const entries: ImageEntry[] = [{ path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 }, bad.entry(dir)];
    const err = await new SquashfsWriter().write(entries, out, EPOCH).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, 'the write failed');
    assert.match(err!.message, bad.said);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });
}

test.run();

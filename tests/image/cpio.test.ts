import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { scratchDirs } from '../helpers/strata.js';
import { CpioGzWriter } from '../../core/image/write-cpio-gz.js';
import type { ManifestEntry } from '../../core/rootfs/manifest.js';
import type { ImageEntry } from '../../core/image/image-tree.js';

// The cpio.gz image writer, checked with GNU cpio itself: names, types,
// owners, device numbers, mtimes, contents, and byte-for-byte determinism.

const tempDir = scratchDirs(test);

const EPOCH = 1704067200; // 2024-01-01 00:00:00 UTC
const HELLO = '#!/bin/sh\necho hello from the image\n';
const MOTD = 'odd length!';

function manifest(): { dir: string; entries: ManifestEntry[] } {
  const dir = tempDir('strata-cpio-');
  writeFileSync(join(dir, 'hello'), HELLO);
  writeFileSync(join(dir, 'motd'), MOTD);
  chmodSync(join(dir, 'hello'), 0o600); // the manifest's mode counts, not the host file's
  const root = { uid: 0, gid: 0 };
  const entries: ManifestEntry[] = [
    { path: '/', type: 'dir', mode: 0o755, ...root },
    { path: '/bin', type: 'dir', mode: 0o755, ...root },
    { path: '/bin/hello', type: 'file', mode: 0o755, source: join(dir, 'hello'), ...root },
    { path: '/bin/sh', type: 'symlink', mode: 0o777, target: 'hello', ...root },
    { path: '/dev', type: 'dir', mode: 0o755, ...root },
    { path: '/dev/console', type: 'chardev', mode: 0o600, major: 5, minor: 1, ...root },
    { path: '/etc', type: 'dir', mode: 0o755, ...root },
    { path: '/etc/motd', type: 'file', mode: 0o644, source: join(dir, 'motd'), ...root },
  ];
  return { dir, entries };
}

async function write(entries: readonly ManifestEntry[], out: string): Promise<Buffer> {
  await new CpioGzWriter().write(entries, out, EPOCH);
  return readFileSync(out);
}

const cpio = (args: string[], input: Buffer, cwd?: string): string =>
  execFileSync('cpio', args, { input, cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });

/** Parses newc headers: [name, mode, uid, gid, mtime, size, rdevmajor, rdevminor, ino]. */
function headers(archive: Buffer) {
  const out: { name: string; ino: number; mode: number; uid: number; gid: number; mtime: number; size: number; rmajor: number; rminor: number }[] = [];
  let off = 0;
  const pad = (n: number) => (n + 3) & ~3;
  for (;;) {
    assert.is(archive.toString('ascii', off, off + 6), '070701', `magic at ${off}`);
    const f = (i: number) => parseInt(archive.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const namesize = f(11);
    const name = archive.toString('utf8', off + 110, off + 110 + namesize - 1);
    const size = f(6);
    out.push({ name, ino: f(0), mode: f(1), uid: f(2), gid: f(3), mtime: f(5), size, rmajor: f(9), rminor: f(10) });
    off = pad(off + 110 + namesize);
    off = pad(off + size);
    if (name === 'TRAILER!!!') break;
  }
  assert.is(off, archive.length, 'nothing after the trailer');
  return out;
}

test('cpio -itv lists names, types, owners 0 0, device numbers and the fixed mtime', async () => {
  const { dir, entries } = manifest();
  const gz = await write(entries, join(dir, 'image.cpio.gz'));
  const lines = cpio(['-itv', '--quiet', '--numeric-uid-gid'], gunzipSync(gz)).trim().split('\n');
  // mode, links, uid, gid, size or "major, minor", month, day, year, name
  const LINE = /^(\S+) +(\d+) +(\d+) +(\d+) +(\d+|\d+, +\d+) +(\w{3}) +(\d+) +(\d+) (.+)$/;
  const rows = lines.map((l) => {
    const m = LINE.exec(l);
    assert.ok(m, `cpio line: ${l}`);
    return m!.slice(1);
  });
  assert.equal(
    rows.map((r) => r[8]),
    ['.', 'bin', 'bin/hello', 'bin/sh -> hello', 'dev', 'dev/console', 'etc', 'etc/motd'],
  );
  const byName = new Map(rows.map((r) => [r[8].split(' -> ')[0], r]));
  assert.is(byName.get('bin/hello')![0], '-rwxr-xr-x');
  assert.is(byName.get('etc/motd')![0], '-rw-r--r--');
  assert.is(byName.get('bin/sh')![0], 'lrwxrwxrwx');
  assert.is(byName.get('bin')![0], 'drwxr-xr-x');
  assert.is(byName.get('dev/console')![0], 'crw-------');
  assert.match(byName.get('dev/console')![4], /^5, +1$/);
  for (const r of rows) {
    assert.equal([r[2], r[3]], ['0', '0'], `owner of ${r[8]}`);
    assert.equal(r.slice(5, 8), ['Jan', '1', '2024'], `date of ${r[8]}`);
  }
  assert.is(byName.get('bin/hello')![4], String(HELLO.length));
});

test('every header carries the given epoch, inodes count from 1, sizes and padding are right', async () => {
  const { dir, entries } = manifest();
  const hs = headers(gunzipSync(await write(entries, join(dir, 'image.cpio.gz'))));
  assert.is(hs.at(-1)!.name, 'TRAILER!!!');
  const members = hs.slice(0, -1);
  assert.equal(
    members.map((h) => h.ino),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  for (const h of members) assert.is(h.mtime, EPOCH, `mtime of ${h.name}`);
  const motd = members.find((h) => h.name === 'etc/motd')!;
  assert.is(motd.size, MOTD.length);
  assert.is(motd.mode, 0o100644);
  const console = members.find((h) => h.name === 'dev/console')!;
  assert.equal([console.mode, console.rmajor, console.rminor, console.size], [0o020600, 5, 1, 0]);
  assert.is(members.find((h) => h.name === 'bin/sh')!.size, 'hello'.length);
});

test('the same manifest twice, or shuffled, gives identical bytes', async () => {
  const { dir, entries } = manifest();
  const first = await write(entries, join(dir, 'a.cpio.gz'));
  const second = await write(entries, join(dir, 'b.cpio.gz'));
  assert.ok(first.equals(second), 'same manifest, same bytes');
  const shuffled = [entries[5], entries[2], entries[7], entries[0], entries[3], entries[6], entries[1], entries[4]];
  const third = await write(shuffled, join(dir, 'c.cpio.gz'));
  assert.ok(first.equals(third), 'order of entries does not matter');
  assert.is(first.readUInt32LE(4), 0, 'gzip header has no timestamp');
  const other = await new CpioGzWriter().write(entries, join(dir, 'd.cpio.gz'), EPOCH + 1).then(() => readFileSync(join(dir, 'd.cpio.gz')));
  assert.not.ok(first.equals(other), 'the epoch is in the bytes');
});

test('extracting with cpio -id gives back the files, modes and mtime', async () => {
  const { dir, entries } = manifest();
  const archive = gunzipSync(await write(entries, join(dir, 'image.cpio.gz')));
  const out = join(dir, 'extract');
  mkdirSync(out);
  // Only the regular files: device nodes need privileges a test should not assume.
  cpio(['-idmu', '--quiet', '--no-absolute-filenames', 'bin/hello', 'etc/motd'], archive, out);
  assert.is(readFileSync(join(out, 'bin/hello'), 'utf8'), HELLO);
  assert.is(readFileSync(join(out, 'etc/motd'), 'utf8'), MOTD);
  const st = statSync(join(out, 'bin/hello'));
  assert.is(st.mode & 0o7777, 0o755);
  assert.is(Math.round(st.mtimeMs / 1000), EPOCH);
});

test('a missing source file makes the write fail and leaves no output', async () => {
  const { dir, entries } = manifest();
  const broken = [...entries, { path: '/etc/gone', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, source: join(dir, 'does-not-exist') }];
  const out = join(dir, 'broken.cpio.gz');
  let failed = false;
  await new CpioGzWriter().write(broken, out, EPOCH).catch(() => (failed = true));
  assert.ok(failed, 'write rejected');
  assert.throws(() => statSync(out));
});

test('over many 1 MiB chunks (filled again once zlib has them), cpio -id gives back every file', async () => {
  // Files whose bytes all differ, so a chunk filled again before zlib had it all would show.
  const dir = tempDir('strata-cpio-');
  const entries: ImageEntry[] = [
    { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: '/d', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
  ];
  for (let i = 0; i < 40; i++) {
    const source = join(dir, `f${i}`);
    const bytes = Buffer.alloc(i % 7 === 0 ? 900_000 + i : 50_000 + i * 1001);
    for (let o = 0; o + 4 <= bytes.length; o += 4) bytes.writeUInt32LE((o * 2654435761 + i) >>> 0, o);
    writeFileSync(source, bytes);
    entries.push({ path: `/d/f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, source, size: bytes.length });
  }
  const archive = gunzipSync(await write(entries as ManifestEntry[], join(dir, 'many.cpio.gz')));
  assert.ok(archive.length > 6 << 20, `several chunks (${archive.length} bytes)`);
  const x = join(dir, 'x');
  mkdirSync(x);
  cpio(['-id', '--quiet'], archive, x);
  for (let i = 0; i < 40; i++) assert.ok(readFileSync(join(x, `d/f${i}`)).equals(readFileSync(join(dir, `f${i}`))), `f${i}`);
});

for (const said of [1, 3]) {
  test(`a file whose bytes do not match the size the entry gives (${said} said, 2 there) fails, and leaves nothing`, async () => {
    const dir = tempDir('strata-cpio-');
    const source = join(dir, 'two');
    writeFileSync(source, 'ab');
    const out = join(dir, 'image.cpio.gz');
    const entries: ImageEntry[] = [{ path: '/two', type: 'file', mode: 0o644, uid: 0, gid: 0, source, size: said }];
    const error = await new CpioGzWriter().write(entries, out, EPOCH).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(String(error?.message), 'changed size');
    assert.not.ok(existsSync(out));
  });
}

test.run();

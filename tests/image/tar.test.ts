import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ImageEntry } from '../../core/image/image-tree.js';
import { TarGzWriter, TarZstWriter } from '../../core/image/write-tar.js';
import { scratchDirs } from '../helpers/strata.js';
import { BIG, EPOCH, HELLO, LONG_NAME, fixtureTree } from './image-fixture.js';

// tar.gz and tar.zst, read back by GNU tar: owners and modes from the tree
// (not the host files), device nodes, long names, times, contents.

const tempDir = scratchDirs(test);
const tar = (args: string[], cwd?: string): string => execFileSync('tar', args, { cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });

for (const [Writer, flag] of [
  [TarGzWriter, '-z'],
  [TarZstWriter, '--zstd'],
] as const) {
  const type = new Writer().type;

  test(`${type}: tar -tv lists every member with the tree's owners, modes, devices and times`, async () => {
    const dir = tempDir('strata-tar-');
    const out = join(dir, `image.${type}`);
    await new Writer().write(fixtureTree(dir), out, EPOCH);
    const lines = tar([flag, '-tvf', out, '--numeric-owner', '--full-time']).trim().split('\n');
    const rows = new Map(
      lines.map((l) => {
        const f = l.split(/ +/);
        return [
          f
            .slice(5)
            .join(' ')
            .replace(/ -> .*/, ''),
          f,
        ];
      }),
    );
    assert.equal([...rows.keys()].slice(0, 4), ['./', './bin/', './bin/hello', './bin/sh']);
    assert.equal(rows.get('./bin/hello')!.slice(0, 3), ['-rwsr-xr-x', '0/0', String(HELLO.length)]);
    assert.equal(rows.get('./dev/console')!.slice(0, 3), ['crw-------', '0/0', '5,1']);
    assert.equal(rows.get('./dev/sda')!.slice(0, 3), ['brw-rw----', '0/6', '8,0']);
    assert.equal(rows.get('./dev/initctl')!.slice(0, 2), ['prw-------', '0/0']);
    assert.equal(rows.get('./home/user/')!.slice(0, 5), ['drwxr-x---', '1000/1000', '0', '2023-12-31', '23:00:00']);
    assert.equal(rows.get('./tmp/')!.slice(0, 5), ['drwxrwxrwt', '0/0', '0', '2024-01-01', '00:00:00'], 'a time after the epoch is clamped');
    assert.ok(rows.has(`./etc/${LONG_NAME}`), 'long name kept (pax header)');
    assert.ok(lines.some((l) => l.includes('./bin/sh -> hello')));
  });

  test(`${type}: extracting gives back the bytes`, async () => {
    const dir = tempDir('strata-tar-');
    const out = join(dir, `image.${type}`);
    await new Writer().write(fixtureTree(dir), out, EPOCH);
    const x = join(dir, 'x');
    mkdirSync(x);
    // Not the device nodes: making them needs privileges a test should not assume.
    tar([flag, '-xf', out, '-C', x, '--exclude=./dev/*', '--no-same-owner']);
    assert.is(readFileSync(join(x, 'bin/hello'), 'utf8'), HELLO);
    assert.ok(readFileSync(join(x, 'home/user/big file')).equals(BIG));
    assert.is(readFileSync(join(x, 'etc/motd'), 'utf8'), 'welcome\n');
    assert.is(statSync(join(x, 'etc/empty')).size, 0);
    assert.is(Math.round(statSync(join(x, 'bin/hello')).mtimeMs / 1000), EPOCH);
  });
}

test('tar.zst and tar.gz hold the same archive, over many chunks (both fill their buffers again)', async () => {
  // Several MiB of files whose bytes all differ, so a chunk filled again
  // before zstd or zlib had it all would show as a difference.
  const dir = tempDir('strata-tar-');
  const entries: ImageEntry[] = [{ path: '/d', type: 'dir', mode: 0o755, uid: 0, gid: 0 }];
  for (let i = 0; i < 40; i++) {
    const source = join(dir, `f${i}`);
    const bytes = Buffer.alloc(i % 7 === 0 ? 900_000 + i : 50_000 + i * 1000);
    for (let o = 0; o + 4 <= bytes.length; o += 4) bytes.writeUInt32LE((o * 2654435761 + i) >>> 0, o);
    writeFileSync(source, bytes);
    entries.push({ path: `/d/f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, source, size: bytes.length });
  }
  await new TarZstWriter().write(entries, join(dir, 'a.tar.zst'), EPOCH);
  await new TarGzWriter().write(entries, join(dir, 'a.tar.gz'), EPOCH);
  const zst = execFileSync('zstd', ['-dc', join(dir, 'a.tar.zst')], { maxBuffer: 1 << 28 });
  const gz = gunzipSync(readFileSync(join(dir, 'a.tar.gz')));
  assert.ok(zst.length > 6 << 20, `several 1 MiB chunks (${zst.length} bytes)`);
  assert.ok(zst.equals(gz), 'the same tar stream');
  const x = join(dir, 'x');
  mkdirSync(x);
  tar(['--zstd', '-xf', join(dir, 'a.tar.zst'), '-C', x]);
  for (let i = 0; i < 40; i++) assert.ok(readFileSync(join(x, `d/f${i}`)).equals(readFileSync(join(dir, `f${i}`))), `f${i}`);
});

for (const [Writer, said] of [
  [TarZstWriter, 1],
  [TarZstWriter, 3],
  [TarGzWriter, 1],
  [TarGzWriter, 3],
] as const) {
  test(`${new Writer().type}: a file whose bytes do not match the size the entry gives (${said} said, 2 there) fails, and leaves nothing`, async () => {
    const dir = tempDir('strata-tar-');
    const source = join(dir, 'two');
    writeFileSync(source, 'ab');
    const out = join(dir, `image.${new Writer().type}`);
    const entries: ImageEntry[] = [{ path: '/two', type: 'file', mode: 0o644, uid: 0, gid: 0, source, size: said }];
    const error = await new Writer().write(entries, out, EPOCH).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(String(error?.message), 'changed size');
    assert.not.ok(existsSync(out));
  });
}

test('tar.gz: no name or time in the gzip header; a non-root uid has no user name', async () => {
  const dir = tempDir('strata-tar-');
  const out = join(dir, 'image.tar.gz');
  await new TarGzWriter().write(fixtureTree(dir), out, EPOCH);
  const gz = readFileSync(out);
  assert.is(gz.readUInt32LE(4), 0, 'MTIME 0');
  assert.is(gz[3] & 0x08, 0, 'no FNAME');
  assert.not.match(tar(['-tvzf', out]), /\broot\/1000|\b1000\/root/);
});

test('ids too large for ustar fields go in pax records', async () => {
  const dir = tempDir('strata-tar-');
  const out = join(dir, 'image.tar.gz');
  await new TarGzWriter().write([{ path: '/big-ids', type: 'file', mode: 0o644, uid: 3_000_000, gid: 4_000_000, content: 'x' }], out, EPOCH);
  assert.match(tar(['-tvzf', out, '--numeric-owner']), /-rw-r--r-- 3000000\/4000000 .* \.\/big-ids/);
});

test('a failing write leaves no file under the final name and no temporary', async () => {
  const dir = tempDir('strata-tar-');
  const out = join(dir, 'image.tar.zst');
  const entries = [...fixtureTree(dir), { path: '/etc/gone', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, source: join(dir, 'no-such-file') }];
  let failed = false;
  await new TarZstWriter().write(entries, out, EPOCH).catch(() => (failed = true));
  assert.ok(failed);
  assert.not.ok(existsSync(out));
  assert.equal(
    readdirSync(dir).filter((n) => n.includes('part')),
    [],
  );
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK, ChunkPool } from '../../core/image/chunk-packer.js';
import { SourceFile } from '../../core/image/source-file.js';
import { writeBehind } from '../../core/image/write-behind.js';
import { VfatWriter } from '../../core/image/write-vfat.js';
import { scratchDirs } from '../helpers/strata.js';
import { EPOCH } from './image-fixture.js';

// Chunks written behind the making of the next one (core/image/write-behind.ts),
// and a tree file read in pieces against the size the tree gives
// (core/image/source-file.ts): the bytes land where they belong, chunks go
// back to their pool, and every failure is passed on only once nothing is
// writing into the file any more.

const tempDir = scratchDirs(test);

/** `count` full chunks from `pool`, chunk i filled with the byte i + 1; throws `failAt` (if given) instead of making that chunk. */
function* chunks(pool: ChunkPool, count: number, made: Buffer[], failAt = -1): Generator<Buffer> {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error(`chunk ${i} could not be made`);
    const c = pool.take().fill(i + 1);
    made.push(c);
    yield c;
  }
}

test('chunks land one after the other from the position given, and go back to the pool once written', async () => {
  const file = join(tempDir('strata-behind-'), 'out');
  writeFileSync(file, Buffer.alloc(100, 0xee));
  const fd = openSync(file, 'r+');
  const pool = new ChunkPool();
  const made: Buffer[] = [];
  try {
    await writeBehind(fd, chunks(pool, 5, made), 100, pool);
  } finally {
    closeSync(fd);
  }
  const bytes = readFileSync(file);
  assert.is(bytes.length, 100 + 5 * CHUNK);
  assert.ok(
    bytes.subarray(0, 100).every((b) => b === 0xee),
    'what was before the position is left alone',
  );
  for (let i = 0; i < 5; i++)
    assert.ok(
      bytes.subarray(100 + i * CHUNK, 100 + (i + 1) * CHUNK).every((b) => b === i + 1),
      `chunk ${i}`,
    );
  // One write in flight at a time: two chunks were enough, taken again and again.
  assert.is(new Set(made).size, 2);
});

test('a chunk that cannot be made: its error, once the write in flight is done', async () => {
  const file = join(tempDir('strata-behind-'), 'out');
  const fd = openSync(file, 'w');
  const pool = new ChunkPool();
  const error = await writeBehind(fd, chunks(pool, 5, [], 3), 0, pool).then(
    () => undefined,
    (e: Error) => e,
  );
  closeSync(fd); // at once: nothing may still be writing (else the write would go to a closed, maybe reused, descriptor)
  assert.match(String(error?.message), 'chunk 3 could not be made');
  const bytes = readFileSync(file);
  assert.is(bytes.length, 3 * CHUNK, 'the three chunks made before were all written');
});

test('a write that fails: its error, and no further chunk is made', async () => {
  const file = join(tempDir('strata-behind-'), 'out');
  writeFileSync(file, '');
  const fd = openSync(file, 'r'); // not open for writing: EBADF
  const made: Buffer[] = [];
  const pool = new ChunkPool();
  try {
    const error = await writeBehind(fd, chunks(pool, 5, made), 0, pool).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    assert.is(error?.code, 'EBADF');
    assert.ok(made.length <= 2, `${made.length} chunks made`);
  } finally {
    closeSync(fd);
  }
});

// Room for the whole rest and one byte more (the end seen in the same read), exactly the rest (a read more to see it), and less.
for (const [said, there, room] of [
  [5, 5, 100],
  [5, 5, 5],
  [5, 5, 2],
  [0, 0, 10],
  [4, 5, 100],
  [4, 5, 4],
  [4, 5, 3],
  [6, 5, 100],
  [6, 5, 6],
  [6, 5, 2],
  [0, 1, 10],
] as const) {
  test(`a file of ${there} bytes read as ${said}, ${room} bytes at a time: ${said === there ? 'its bytes' : 'changed size'}`, () => {
    const source = join(tempDir('strata-piece-'), 'f');
    writeFileSync(source, 'abcde'.slice(0, there));
    const f = new SourceFile(source, said, 'f (for /f)');
    const out = Buffer.alloc(16, '.');
    let at = 0;
    try {
      while (f.remaining > 0) at += f.readInto(out, at, Math.min(room, out.length - at));
      f.end();
      assert.is(said, there);
      assert.is(out.subarray(0, at).toString(), 'abcde'.slice(0, there));
    } catch (e) {
      assert.is.not(said, there, String(e));
      assert.is((e as Error).message, 'f (for /f) changed size while it was read');
    } finally {
      f.close();
    }
  });
}

test('vfat: a file whose bytes do not match its size fails while the data is written behind, and leaves no image', async () => {
  const dir = tempDir('strata-behind-');
  const entries = [{ path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 }] as Parameters<VfatWriter['write']>[0][number][];
  // Enough files before it that several chunks are written (and one is in flight) when it is read.
  for (let i = 0; i < 12; i++) {
    const source = join(dir, `f${i}`);
    writeFileSync(source, Buffer.alloc(512 << 10, i));
    entries.push({ path: `/f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, source, size: 512 << 10 });
  }
  writeFileSync(join(dir, 'short'), 'ab');
  entries.push({ path: '/short', type: 'file', mode: 0o644, uid: 0, gid: 0, source: join(dir, 'short'), size: 3 });
  const out = join(dir, 'boot.vfat');
  const error = await new VfatWriter().write(entries, out, EPOCH).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(String(error?.message), 'short (for /short) changed size while it was read');
  assert.not.ok(existsSync(out));
  assert.not.ok(
    readdirSync(dir).some((n) => n.includes('.part-')),
    'no temporary image left',
  );
});

test.run();

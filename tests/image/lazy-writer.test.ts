import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageWriter } from '../../core/image/image-writer.js';
import { lazyWriter } from '../../core/image/lazy-writer.js';
import { plugins } from '../../core/session/plugins.js';

// Writers are registered by type and loaded on their first write: the
// loaded writer must be the type it was registered as, and it is loaded once.

const recording = (type: string, calls: string[]): ImageWriter => ({
  type,
  write: async (_entries, out) => {
    calls.push(out);
  },
});

test('a writer is loaded on its first write, once, and then writes every time', async () => {
  let loads = 0;
  const calls: string[] = [];
  const w = lazyWriter('tar.gz', async () => {
    loads++;
    return recording('tar.gz', calls);
  });
  assert.is(w.type, 'tar.gz');
  assert.is(loads, 0, 'not loaded before it is used');
  await Promise.all([w.write([], 'a', 0), w.write([], 'b', 0)]);
  await w.write([], 'c', 0);
  assert.is(loads, 1);
  assert.equal(calls.sort(), ['a', 'b', 'c']);
});

test('a writer registered under another type than its own is refused on its first write', async () => {
  const w = lazyWriter('ext4', async () => recording('vfat', []));
  try {
    await w.write([], 'out', 0);
    assert.unreachable('the mismatch was not noticed');
  } catch (e) {
    assert.match((e as Error).message, "registered as 'ext4' writes 'vfat'");
  }
});

test("a writer's format is known before it is loaded, and must be the loaded writer's own", async () => {
  let loads = 0;
  const named = (format?: string) => async (): Promise<ImageWriter> => {
    loads++;
    return { ...recording('squashfs', []), ...(format ? { format } : {}) };
  };
  assert.is(lazyWriter('squashfs', named('fmt-1'), 'fmt-1').format, 'fmt-1');
  assert.ok(!('format' in lazyWriter('tar.gz', named())), 'no format key for a writer without one');
  assert.is(loads, 0, 'reading the format loads nothing');
  await lazyWriter('squashfs', named('fmt-1'), 'fmt-1').write([], 'out', 0);
  const table: [string | undefined, string | undefined, string][] = [
    ['fmt-1', 'fmt-2', "registered with format 'fmt-1' writes 'fmt-2'"],
    [undefined, 'fmt-2', "registered with format 'none' writes 'fmt-2'"],
    ['fmt-1', undefined, "registered with format 'fmt-1' writes 'none'"],
  ];
  for (const [registered, own, message] of table) {
    const err = await lazyWriter('squashfs', named(own), registered)
      .write([], 'out', 0)
      .then(
        () => undefined,
        (e: Error) => e,
      );
    assert.ok(err, `registered ${registered}, writes ${own}: not refused`);
    assert.match(err!.message, message);
  }
});

test('every writer of the composition root loads as the type and format it is registered with', async () => {
  const types = plugins().writers.map((w) => w.type);
  assert.equal([...types].sort(), ['cpio.gz', 'disk.img', 'ext4', 'oci', 'oci.tar', 'squashfs', 'tar.gz', 'tar.zst', 'vfat']);
  for (const w of plugins().writers) {
    // No disk description: the disk writer refuses before writing; every other
    // writer fails on the missing folder. Either way it was loaded and its type checked.
    const err = await w.write([], '/nonexistent-strata-dir/x', 0).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, `${w.type} wrote to a missing folder`);
    assert.not.match(err!.message, 'registered', `${w.type}: ${err!.message}`);
  }
});

test.run();

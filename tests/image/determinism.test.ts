import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { plugins } from '../../core/session/plugins.js';
import type { DiskDescription } from '../../core/image/disk/disk-description.js';
import type { ImageEntry } from '../../core/image/image-tree.js';
import type { ImageWriteOptions } from '../../core/image/image-writer.js';
import { scratchDirs } from '../helpers/strata.js';
import { EPOCH, fixtureTree } from './image-fixture.js';

// Every registered image type, written twice from the same tree: in two
// folders (a different path to the source files), under different umasks,
// with the entries in another order. The bytes must be the same.

const tempDir = scratchDirs(test);
const TYPES = ['cpio.gz', 'tar.gz', 'tar.zst', 'ext4', 'vfat', 'squashfs', 'oci', 'oci.tar', 'disk.img'];

test('the composition root registers every image type once', () => {
  assert.equal(
    plugins()
      .writers.map((w) => w.type)
      .sort(),
    [...TYPES].sort(),
  );
});

function disk(): DiskDescription {
  return {
    name: 'det',
    table: 'gpt',
    size: '48MiB',
    partitions: [
      {
        label: 'boot',
        fs: 'vfat',
        size: '8MiB',
        bootable: true,
        content: { kind: 'files', files: [{ path: '/extlinux/extlinux.conf', content: 'label linux\n  kernel /Image\n' }] },
      },
      { label: 'root', fs: 'ext4', size: 'fill', content: { kind: 'rootfs' } },
    ],
  };
}

/** A tree the type can hold: FAT has no links, devices or fifos. */
function treeFor(type: string, dir: string): ImageEntry[] {
  const all = fixtureTree(dir);
  if (type === 'vfat') return all.filter((e) => e.type === 'file' || e.type === 'dir');
  return all;
}

/** Every file under a path (one file, or a folder such as an OCI layout), by relative name. */
function contents(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (p: string) => {
    if (statSync(p).isDirectory())
      readdirSync(p)
        .sort()
        .forEach((n) => walk(join(p, n)));
    else out.set(relative(path, p), readFileSync(p));
  };
  walk(path);
  return out;
}

for (const type of TYPES) {
  test(`${type}: two folders, two umasks, shuffled entries, the same bytes`, async () => {
    const writer = plugins().writers.find((w) => w.type === type)!;
    const options: ImageWriteOptions = { arch: 'aarch64', label: 'root', disk: type === 'disk.img' ? disk() : undefined };
    const outs: string[] = [];
    const umask = process.umask();
    try {
      for (const [i, mask] of [0o022, 0o077].entries()) {
        process.umask(mask);
        const dir = tempDir(`strata-det-${i}-`);
        const staging = join(dir, ...Array(i * 3).fill('deeper'));
        mkdirSync(staging, { recursive: true });
        const entries = treeFor(type, staging);
        const out = join(dir, `image.${type}`);
        await writer.write(i ? [...entries].reverse() : entries, out, EPOCH, options);
        outs.push(out);
      }
    } finally {
      process.umask(umask);
    }
    const [a, b] = outs.map(contents);
    assert.equal([...a.keys()], [...b.keys()], 'same files');
    for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${type}${name ? ` ${name}` : ''}: bytes differ`);
  });
}

test.run();

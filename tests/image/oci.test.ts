import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OciWriter } from '../../core/image/write-oci.js';
import { OciArchiveWriter } from '../../core/image/write-oci-archive.js';
import { scratchDirs } from '../helpers/strata.js';
import { EPOCH, HELLO, fixtureTree } from './image-fixture.js';

// The OCI image layout, read by skopeo and umoci (the tools container users
// meet) and checked blob by blob: digests, diff_ids, media types.

const tempDir = scratchDirs(test);
const run = (tool: string, args: string[], cwd?: string): string =>
  execFileSync(tool, args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });

async function layout(): Promise<{ dir: string; oci: string }> {
  const dir = tempDir('strata-oci-');
  const oci = join(dir, 'image.oci');
  await new OciWriter().write(fixtureTree(dir), oci, EPOCH, { arch: 'aarch64', label: '1.0' });
  return { dir, oci };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('skopeo inspect reads architecture, os, created and one layer', async () => {
  const { oci } = await layout();
  const info = JSON.parse(run('skopeo', ['inspect', `oci:${oci}:1.0`]));
  assert.is(info.Architecture, 'arm64');
  assert.is(info.Os, 'linux');
  assert.is(info.Created, '2024-01-01T00:00:00Z');
  assert.is(info.Layers.length, 1);
});

test('every blob is named by its sha256; diff_id is the sha256 of the uncompressed layer', async () => {
  const { oci } = await layout();
  const blobs = join(oci, 'blobs/sha256');
  for (const name of readdirSync(blobs)) assert.is(sha(readFileSync(join(blobs, name))), name);
  const index = JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8'));
  assert.is(index.manifests[0].annotations['org.opencontainers.image.ref.name'], '1.0');
  const manifest = JSON.parse(readFileSync(join(blobs, index.manifests[0].digest.slice(7)), 'utf8'));
  assert.is(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const layer = readFileSync(join(blobs, manifest.layers[0].digest.slice(7)));
  assert.is(manifest.layers[0].size, layer.length);
  const config = JSON.parse(readFileSync(join(blobs, manifest.config.digest.slice(7)), 'utf8'));
  assert.equal(config.rootfs.diff_ids, [`sha256:${sha(gunzipSync(layer))}`]);
  assert.equal(JSON.parse(readFileSync(join(oci, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
});

test('umoci ls and stat read it; umoci unpack --rootless gives back the files and modes', async () => {
  const { dir, oci } = await layout();
  assert.is(run('umoci', ['ls', '--layout', oci]).trim(), '1.0');
  assert.match(run('umoci', ['stat', '--image', `${oci}:1.0`]), /2024-01-01T00:00:00Z/);
  run('umoci', ['unpack', '--rootless', '--image', `${oci}:1.0`, 'bundle'], dir);
  const rootfs = join(dir, 'bundle/rootfs');
  assert.is(readFileSync(join(rootfs, 'bin/hello'), 'utf8'), HELLO);
  assert.is(statSync(join(rootfs, 'bin/hello')).mode & 0o7777, 0o4755);
  assert.is(statSync(join(rootfs, 'home/user')).mode & 0o7777, 0o750);
  // Rootless umoci keeps each owner in a user.rootlesscontainers xattr
  // (a protobuf: field 1 uid, field 2 gid), listed in its mtree.
  const mtree = readFileSync(
    join(
      dir,
      'bundle',
      readdirSync(join(dir, 'bundle')).find((n) => n.endsWith('.mtree'))!,
    ),
    'utf8',
  );
  const owner = /^user .*type=dir mode=0750 .*tar_time=(\d+)\.0+ xattr\.user\.rootlesscontainers=(\S+)$/m.exec(mtree);
  assert.ok(owner, 'home/user in the mtree');
  assert.is(Number(owner![1]), EPOCH - 3600);
  assert.equal([...Buffer.from(owner![2], 'base64')], [0x08, 0xe8, 0x07, 0x10, 0xe8, 0x07], 'uid 1000, gid 1000');
});

test('writing again over an existing layout replaces it whole', async () => {
  const { oci } = await layout();
  const before = readdirSync(join(oci, 'blobs/sha256')).sort();
  await new OciWriter().write(fixtureTree(join(oci, '..')), oci, EPOCH, { arch: 'aarch64', label: '1.0' });
  assert.equal(readdirSync(join(oci, 'blobs/sha256')).sort(), before);
  await new OciWriter().write(fixtureTree(join(oci, '..')), oci, EPOCH + 1, { arch: 'aarch64', label: '1.0' });
  assert.is(readdirSync(join(oci, 'blobs/sha256')).filter((n) => before.includes(n)).length, 0, 'no blob of the old image is left');
  assert.equal(
    readdirSync(join(oci, '..')).filter((n) => n.includes('.part-')),
    [],
  );
});

test('oci.tar: skopeo reads the same image from the one-file archive', async () => {
  const { dir, oci } = await layout();
  const archive = join(dir, 'image.oci.tar');
  await new OciArchiveWriter().write(fixtureTree(dir), archive, EPOCH, { arch: 'aarch64', label: '1.0' });
  const fromDir = JSON.parse(run('skopeo', ['inspect', `oci:${oci}:1.0`]));
  const fromTar = JSON.parse(run('skopeo', ['inspect', `oci-archive:${archive}:1.0`]));
  assert.is(fromTar.Digest, fromDir.Digest);
  assert.equal(fromTar.Layers, fromDir.Layers);
  assert.match(run('tar', ['-tvf', archive]), /^-rw-r--r-- root\/root .* \.\/oci-layout$/m);
});

test('an unknown architecture is refused', async () => {
  const dir = tempDir('strata-oci-');
  const err = await new OciWriter().write(fixtureTree(dir), join(dir, 'x.oci'), EPOCH, { arch: 'pdp11' }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(err?.message ?? '', /needs its target architecture .* got pdp11/);
});

test.run();

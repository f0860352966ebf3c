import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseProject } from '../helpers/release-project.js';
import { CLI, scratchDirs, strata } from '../helpers/strata.js';

// `strata release`: a folder that rebuilds the image by itself. The e2e:
// a release made from one project is copied to a fresh folder and rebuilt
// there with the network cut (unshare -n) and no cache; the images are
// bit-identical and `strata verify` accepts the rebuild's manifest with the
// release's signatures. Then the bad inputs: a tampered layer file, a
// mirror missing a source.

const tempDir = scratchDirs(test);
const TARBALL_SHA = '87fa54be77342591380bc4b3ae927dfbb667542aea6359dc7c8f03c3b719daee';
const DEPLOY = 'build/deploy/images/tiny';

/** `strata build tiny --offline` in `dir`, with no network at all (a new network namespace), when the host allows it. */
function rebuildOffline(dir: string): { code: number; out: string } {
  const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
  const cmd = canUnshare ? ['unshare', '-n', process.execPath] : [process.execPath];
  const r = spawnSync(cmd[0], [...cmd.slice(1), CLI, 'build', 'tiny', '--offline', '--project', dir], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

let project = '';
let release = '';
let keys = '';

test('a release holds the layers, the project file, the mirror, the manifest, the SBOM, signatures and a README', async () => {
  project = releaseProject(tempDir);
  const k = tempDir();
  assert.is((await strata(['sign', '--generate-key', join(k, 'builder')])).code, 0);
  keys = join(k, 'trusted');
  mkdirSync(keys);
  copyFileSync(join(k, 'builder.pub'), join(keys, 'builder.pub'));
  release = join(tempDir(), 'release');
  const r = await strata(['release', 'tiny', release, '--key', join(k, 'builder.key')], { cwd: project });
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const f of [
    'strata.yaml',
    'strata.original.yaml',
    'README.md',
    'layers/release-fixture/layer.yaml',
    'layers/release-fixture/recipes/hello/greeting.patch',
    `mirror/sha256/${TARBALL_SHA}`,
    'mirror/index.json',
    'tiny-tiny.manifest.json',
    'tiny-tiny.manifest.json.minisig',
    'tiny.spdx.json',
    'tiny.spdx.json.minisig',
    'minisign.pub',
  ]) {
    assert.ok(existsSync(join(release, f)), f);
  }
  assert.match(readFileSync(join(release, 'README.md'), 'utf8'), 'strata build tiny --offline --project .');
  const m = spawnSync('minisign', ['-V', '-p', 'minisign.pub', '-m', 'tiny-tiny.manifest.json'], { cwd: release, encoding: 'utf8' });
  assert.is(m.status, 0, m.stderr);
  assert.is(readFileSync(join(release, 'tiny-tiny.manifest.json'), 'utf8'), readFileSync(join(project, DEPLOY, 'tiny-tiny.manifest.json'), 'utf8'));
});

test('rebuilt from a copy of the release alone, offline with no network and no cache: bit-identical, and verified', () => {
  const copy = join(tempDir(), 'elsewhere', 'rebuild');
  cpSync(release, copy, { recursive: true });
  const r = rebuildOffline(copy);
  assert.is(r.code, 0, r.out);
  for (const f of ['tiny-tiny.cpio.gz', 'Image-tiny.bin', 'tiny-tiny.manifest.json', 'tiny-tiny.spdx.json']) {
    assert.ok(readFileSync(join(copy, DEPLOY, f)).equals(readFileSync(join(project, DEPLOY, f))), `${f} is bit-identical`);
  }
  const v = spawnSync(process.execPath, [CLI, 'verify', join(copy, DEPLOY, 'tiny-tiny.manifest.json'), '--keys', keys, '--signatures', release], {
    encoding: 'utf8',
  });
  assert.is(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, 'verified, signed by 1 of 1 trusted keys');
  const manifest = JSON.parse(readFileSync(join(copy, DEPLOY, 'tiny-tiny.manifest.json'), 'utf8'));
  const original = JSON.parse(readFileSync(join(release, 'tiny-tiny.manifest.json'), 'utf8'));
  assert.equal(manifest.layers, original.layers, 'the layer commit travels with the release');
});

test('a tampered layer file: the rebuild is not what was signed, and verify says where it differs', () => {
  const copy = join(tempDir(), 'tampered');
  cpSync(release, copy, { recursive: true });
  const recipe = join(copy, 'layers/release-fixture/recipes/tiny-files.yaml');
  writeFileSync(recipe, readFileSync(recipe, 'utf8').replace('echo tiny', 'echo pwned'));
  assert.is(rebuildOffline(copy).code, 0);
  const v = spawnSync(process.execPath, [CLI, 'verify', join(copy, DEPLOY, 'tiny-tiny.manifest.json'), '--keys', keys, '--signatures', release], {
    encoding: 'utf8',
  });
  assert.is(v.status, 1);
  assert.match(v.stderr, `error[signature-mismatch]: ${join(copy, DEPLOY, 'tiny-tiny.manifest.json')} does not match its signature`);
  assert.match(v.stderr, `compared with the signed ${join(release, 'tiny-tiny.manifest.json')}, it differs at:`);
  assert.match(v.stderr, 'layers[0].contentSha256');
  assert.match(v.stderr, 'artifacts[0].sha256');
});

test('a mirror missing a source: the rebuild stops before building and names the source', () => {
  const copy = join(tempDir(), 'no-source');
  cpSync(release, copy, { recursive: true });
  rmSync(join(copy, 'mirror/sha256', TARBALL_SHA));
  const r = rebuildOffline(copy);
  assert.is.not(r.code, 0);
  assert.match(r.out, 'hello-1.0.tar.gz');
  assert.not.ok(existsSync(join(copy, DEPLOY, 'tiny-tiny.cpio.gz')));
});

test('bad input: a recipe is not an image; a release folder must be new or empty', async () => {
  const r = await strata(['release', 'hello', join(tempDir(), 'r')], { cwd: project });
  assert.is(r.code, 2);
  assert.match(r.stderr, 'hello is a recipe, not an image');
  const full = await strata(['release', 'tiny', release], { cwd: project });
  assert.is(full.code, 2);
  assert.match(full.stderr, `${release} is not empty`);
});

test.run();

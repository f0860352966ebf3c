import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { members } from '../../core/release/members.js';
import { CLI, ROOT, scratchDirs, strata } from '../helpers/strata.js';

// Issue 14 on the real image, as a user runs it: `strata reproduce minimal`
// (two from-scratch builds, the second under umask 077, another time zone,
// locale, build path, host name, -j and task uid) finds nothing; its first
// build is then released with a signing key (up to date, so not built a
// third time), and the release alone is rebuilt in a fresh folder with the
// network cut and no cache: the same bytes, and `strata verify` accepts the
// rebuild's manifest with the release's signatures. Then each bad input
// fails with a message naming the file and what to do.

const tempDir = scratchDirs(test);
const DEPLOY = 'build/deploy/images/qemuarm64-debian';
const MANIFEST = 'minimal-qemuarm64-debian.manifest.json';
const BUSYBOX = 'busybox-1.35.0.tar.bz2';

let work = '';
let release = '';
let rebuilt = '';
let keys = '';
let signer = '';

const node = (args: string[], cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 1_800_000 });

/** `strata build minimal --offline` in `dir` in a new network namespace: no network at all (as root; else as the caller can). */
function rebuildOffline(dir: string): { code: number; out: string } {
  const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
  const cmd = canUnshare ? ['unshare', '-n', process.execPath] : [process.execPath];
  const r = spawnSync(cmd[0], [...cmd.slice(1), CLI, 'build', 'minimal', '--offline', '--project', dir], { encoding: 'utf8', timeout: 1_800_000 });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

test('strata reproduce minimal: identical under umask 077, another path, TZ, locale, host name and -j', async () => {
  assert.ok(existsSync(join(ROOT, 'mirror/sha256')), 'run `npm run setup` first: it fills mirror/');
  const project = tempDir('strata-e2e-release-');
  writeFileSync(join(project, 'strata.yaml'), `machine: qemuarm64-debian\nmirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: false\n`);
  work = join(project, 'reproduce');
  const r = await strata(['reproduce', 'minimal', '--work', work, '--keep'], { cwd: project, timeoutMs: 3_600_000 });
  assert.is(r.code, 0, r.stdout + r.stderr + readFileSync(join(project, 'build/reproduce/minimal/report.txt'), 'utf8').slice(0, 6000));
  assert.match(r.stdout, /minimal is reproducible: \d+ task outputs identical in both builds/);
  assert.match(r.stdout, 'umask 077');
  // The folders no package declares are 0755 in the image the umask-077 build wrote (they were 0700).
  const cpio = members(join(work, 'second/with-a-longer/build-path', DEPLOY, 'minimal-qemuarm64-debian.cpio.gz'));
  for (const dir of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc']) {
    assert.match(cpio.find((m) => m.path === dir)?.what ?? `${dir} missing`, /^dir 0755 0:0 /, dir);
  }
});

test('strata release minimal --key: the first build, released and signed, without building again', async () => {
  const k = tempDir();
  signer = join(k, 'builder');
  assert.is((await strata(['sign', '--generate-key', signer])).code, 0);
  keys = join(k, 'trusted');
  mkdirSync(keys);
  copyFileSync(`${signer}.pub`, join(keys, 'builder.pub'));
  release = join(tempDir(), 'minimal-release');
  const r = await strata(['release', 'minimal', release, '--key', `${signer}.key`, '--project', join(work, 'a')], { timeoutMs: 1_800_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Nothing to do: all \d+ tasks of minimal are up to date/);
  for (const f of [
    'strata.yaml',
    'README.md',
    MANIFEST,
    `${MANIFEST}.minisig`,
    'minimal.spdx.json',
    'minisign.pub',
    'mirror/index.json',
    'layers/core/layer.yaml',
  ]) {
    assert.ok(existsSync(join(release, f)), f);
  }
  const m = spawnSync('minisign', ['-V', '-p', 'minisign.pub', '-m', MANIFEST], { cwd: release, encoding: 'utf8' });
  assert.is(m.status, 0, m.stderr);
});

test('the release alone, copied elsewhere, rebuilds offline with no network and no cache: bit-identical and verified', () => {
  rebuilt = join(tempDir(), 'years', 'later');
  cpSync(release, rebuilt, { recursive: true });
  const r = rebuildOffline(rebuilt);
  assert.is(r.code, 0, r.out.slice(-4000));
  assert.match(r.out, /fetch phase: \d+ sources verified in .* \(offline\)/);
  assert.not.match(r.out, /restored from the cache/);
  // Every source came out of the release's own mirror.
  const fetched = [...r.out.matchAll(/^fetch +(\S+) from (\S+)$/gm)];
  assert.ok(fetched.length > 0, r.out.slice(0, 3000));
  for (const [, name, from] of fetched) assert.ok(from.startsWith(join(rebuilt, 'mirror') + '/'), `${name} came from ${from}`);
  assert.not.ok(existsSync(join(rebuilt, 'cache')), 'no cache folder');
  const original = join(work, 'a', DEPLOY);
  const names = readdirSync(original).sort();
  assert.equal(readdirSync(join(rebuilt, DEPLOY)).sort(), names);
  for (const f of names) assert.ok(readFileSync(join(rebuilt, DEPLOY, f)).equals(readFileSync(join(original, f))), `${f} is bit-identical`);
  const v = node(['verify', join(rebuilt, DEPLOY, MANIFEST), '--keys', keys, '--signatures', release]);
  assert.is(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, 'verified, signed by 1 of 1 trusted keys');
});

test('bad input: an untrusted signer, a threshold not met, a tampered manifest', () => {
  const manifest = join(rebuilt, DEPLOY, MANIFEST);
  const strangers = tempDir();
  assert.is(node(['sign', '--generate-key', join(strangers, 'other')]).status, 0);
  rmSync(join(strangers, 'other.key'));
  const untrusted = node(['verify', manifest, '--keys', strangers, '--signatures', release]);
  assert.is(untrusted.status, 1);
  assert.match(untrusted.stdout, 'which is not in');
  assert.match(untrusted.stderr, `${manifest}: error[threshold-not-met]: ${manifest} is signed by 0 of the 1 trusted keys required`);
  assert.match(untrusted.stderr, 'add the .pub of each signer you trust');
  const tooHigh = node(['verify', manifest, '--keys', keys, '--signatures', release, '--threshold', '2']);
  assert.is(tooHigh.status, 1);
  assert.match(tooHigh.stderr, `error[threshold-too-high]: the threshold is 2 but ${keys} holds 1 trusted key`);
  // Two trusted keys, one of them signed: the quorum of two is not met.
  const both = tempDir();
  copyFileSync(join(keys, 'builder.pub'), join(both, 'builder.pub'));
  copyFileSync(join(strangers, 'other.pub'), join(both, 'other.pub'));
  const two = node(['verify', manifest, '--keys', both, '--signatures', release, '--threshold', '2']);
  assert.is(two.status, 1);
  assert.match(two.stderr, 'is signed by 1 of the 2 trusted keys required');
  assert.match(two.stderr, /more trusted signer/);
  const copy = join(tempDir(), MANIFEST);
  writeFileSync(copy, readFileSync(manifest, 'utf8').replace('"image": "minimal"', '"image": "minima1"'));
  const tampered = node(['verify', copy, '--keys', keys, '--signatures', release]);
  assert.is(tampered.status, 1);
  assert.match(tampered.stderr, `error[signature-mismatch]: ${copy} does not match its signature`);
  assert.match(tampered.stderr, 'image');
});

test('bad input: a release whose mirror lacks a source, or holds a changed one, stops before any task and names it', () => {
  const index = JSON.parse(readFileSync(join(release, 'mirror/index.json'), 'utf8')) as { files: { name: string; sha256: string }[] };
  const entry = index.files.find((e) => e.name === BUSYBOX);
  assert.ok(entry, `${BUSYBOX} is in the release's mirror index`);
  const sha = entry!.sha256;

  const missing = join(tempDir(), 'missing');
  cpSync(release, missing, { recursive: true });
  rmSync(join(missing, 'mirror/sha256', sha));
  rmSync(join(missing, 'mirror', BUSYBOX), { force: true });
  const r = rebuildOffline(missing);
  assert.is.not(r.code, 0);
  assert.match(r.out, BUSYBOX);
  assert.not.match(r.out, /^start /m, 'no task started');

  const changed = join(tempDir(), 'changed');
  cpSync(release, changed, { recursive: true });
  const file = join(changed, 'mirror/sha256', sha);
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(file, bytes);
  const c = rebuildOffline(changed);
  assert.is.not(c.code, 0);
  assert.match(c.out, BUSYBOX);
  assert.match(c.out, /sha256/);
  assert.not.match(c.out, /^start /m, 'no task started');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDirs, strata } from '../helpers/strata.js';

// The main job, as a user runs it: build the default image `minimal` for
// qemuarm64 offline from the mirror that `npm run setup` fills (real cross
// gcc, real musl and busybox builds), boot it in QEMU and run its checks,
// then rebuild with nothing changed, build again in a second folder (same
// bytes) and restore it in a third folder from the first one's cache.

const tempDir = scratchDirs(test);
const project = tempDir('strata-e2e-');
const deploy = join(project, 'build/deploy/images/qemuarm64');

test('the mirror from `npm run setup` is there', () => {
  assert.ok(existsSync(join(ROOT, 'mirror/sha256')), 'run `npm run setup` first: it fills mirror/');
});

test('strata build minimal --offline cross-builds and deploys a bootable image', async () => {
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project], { timeoutMs: 900_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  for (const f of ['minimal-qemuarm64.cpio.gz', 'Image-qemuarm64.bin', 'minimal-qemuarm64.manifest', 'minimal-qemuarm64.qemuboot.json']) {
    assert.ok(existsSync(join(deploy, f)), f);
  }
  const manifest = readFileSync(join(deploy, 'minimal-qemuarm64.manifest'), 'utf8');
  assert.match(manifest, 'busybox busybox 1.35.0');
  assert.match(manifest, 'base-files base-files 1.0');
  // The distro's init system (init: busybox) comes with every image.
  assert.match(manifest, 'packagegroup-init-busybox packagegroup-init-busybox 1.0');
  assert.match(manifest, 'svinit svinit 1.0');
  const busybox = join(project, 'build/work/qemuarm64/busybox-1.35.0/image/bin/busybox');
  const header = readFileSync(busybox).subarray(0, 20);
  assert.is(header.readUInt16LE(18), 183, 'busybox is an aarch64 ELF (e_machine 183)');
});

test('strata testimage boots it in QEMU and every check passes', async () => {
  const r = await strata(['testimage', 'minimal', '--machine', 'qemuarm64', '--project', project], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'PASS architecture');
  assert.match(r.stdout, 'PASS os-release names the distro');
  assert.match(r.stdout, /3 of 3 checks passed/);
  assert.match(r.stdout, 'reboot: Power down');
});

test('a second build with nothing changed runs no task and says so', async () => {
  const logsBefore = readdirSync(join(project, 'build/work/qemuarm64/busybox-1.35.0')).filter((f) => f.startsWith('log.'));
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nothing to do: all \d+ tasks of minimal are up to date/);
  assert.not.match(r.stdout, /^start /m);
  assert.equal(
    readdirSync(join(project, 'build/work/qemuarm64/busybox-1.35.0')).filter((f) => f.startsWith('log.')),
    logsBefore,
  );
});

test('a mirror made by `strata mirror create` rebuilds the image in another folder, offline, bit for bit', async () => {
  const mirror = join(tempDir('strata-e2e-mirror-'), 'minimal-sources');
  const made = await strata(['mirror', 'create', mirror, 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project]);
  assert.is(made.code, 0, made.stdout + made.stderr);
  const verified = await strata(['mirror', 'verify', mirror]);
  assert.is(verified.code, 0, verified.stdout + verified.stderr);
  const other = tempDir('strata-e2e-again-');
  // Only the new mirror: not mirror/, not the first folder's downloads or cache.
  writeFileSync(join(other, 'strata.yaml'), `mirrors: [${mirror}]\noffline: true\ncache: false\n`);
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--project', other], { timeoutMs: 900_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const sum = (d: string) =>
    createHash('sha256')
      .update(readFileSync(join(d, 'build/deploy/images/qemuarm64/minimal-qemuarm64.cpio.gz')))
      .digest('hex');
  assert.is(sum(other), sum(project));
});

test("a third folder sharing the first one's cache restores minimal without compiling anything, same bytes", async () => {
  const third = tempDir('strata-e2e-restore-');
  writeFileSync(join(third, 'strata.yaml'), `cache: ${join(project, 'cache')}\n`);
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--offline', '--project', third], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  assert.not.match(r.stdout, /^(start|done) +\S+:(configure|compile|install)/m, 'no configure, compile or install task ran');
  assert.match(r.stdout, /minimal: \d+ tasks: 0 run, \d+ restored from the cache/);
  const sum = (d: string) =>
    createHash('sha256')
      .update(readFileSync(join(d, 'build/deploy/images/qemuarm64/minimal-qemuarm64.cpio.gz')))
      .digest('hex');
  assert.is(sum(third), sum(project));
  const boot = await strata(['testimage', 'minimal', '--machine', 'qemuarm64', '--project', third], { timeoutMs: 300_000 });
  assert.is(boot.code, 0, boot.stdout + boot.stderr);
});

test.run();

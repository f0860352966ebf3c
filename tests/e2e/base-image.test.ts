import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, scratchDirs, strata, TEST_CACHE } from '../helpers/strata.js';

// The product image `base`, as a user builds and tests it: busybox on the
// shared musl, svinit handing PID 1 to runsvdir, the DHCP client and
// dropbear as supervised services, installed through packagegroup-base.
// Its image checks (images/base.yaml) boot it in QEMU, log in over SSH from
// the host's OpenSSH client through a forwarded port, kill the SSH server,
// see it restarted, and log in again.
//
// The build shares the repository's task cache (cache/, what `strata build`
// in the checkout fills), so a developer who built base or minimal before
// restores the compiled recipes instead of compiling them again.

const tempDir = scratchDirs(test);
const project = tempDir('strata-e2e-base-');
const deploy = join(project, 'build/deploy/images/qemuarm64');
const cache = TEST_CACHE;
writeFileSync(join(project, 'strata.yaml'), `cache: ${cache}\n`);

test('the mirror from `npm run setup` is there', () => {
  assert.ok(existsSync(join(ROOT, 'mirror/sha256')), 'run `npm run setup` first: it fills mirror/');
});

test('strata build base --offline cross-builds and deploys a bootable image', async () => {
  // The first e2e file to run, so with a cold cache it compiles Linux and U-Boot: about 10 minutes on an idle
  // 2-core machine, and more than 25 when other builds share it.
  const r = await strata(['build', 'base', '--machine', 'qemuarm64', '--offline', '--project', project], { timeoutMs: 2_700_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  for (const f of ['base-qemuarm64.cpio.gz', 'Image-qemuarm64.bin', 'base-qemuarm64.manifest', 'base-qemuarm64.qemuboot.json']) {
    assert.ok(existsSync(join(deploy, f)), f);
  }
  const manifest = readFileSync(join(deploy, 'base-qemuarm64.manifest'), 'utf8');
  // Run-time dependencies come along: musl through busybox, zlib through dropbear.
  // The group brings busybox, base-files, svinit and the DHCP client; the distro's `init: busybox`
  // adds its init group. qemuarm64's kernel has its network driver built in (machines/kernel/network.cfg),
  // so no module package comes with it (qemuarm64-debian adds one through MACHINE_EXTRA_RDEPENDS).
  assert.not.match(manifest, 'kernel-module-');
  const config = readFileSync(join(deploy, 'config-6.1.176'), 'utf8');
  for (const option of ['CONFIG_VIRTIO_NET=y', 'CONFIG_PACKET=y', 'CONFIG_UNIX98_PTYS=y']) assert.match(config, `\n${option}\n`);
  for (const line of [
    'packagegroup-base packagegroup-base 1.0 qemuarm64',
    'packagegroup-init-busybox packagegroup-init-busybox 1.0',
    'busybox busybox 1.35.0',
    'busybox-udhcpc busybox 1.35.0',
    'musl musl 1.2.3',
    'zlib zlib 1.2.13',
    'dropbear dropbear 2022.83',
    'svinit svinit 1.0',
  ]) {
    assert.match(manifest, line);
  }
  // qemuarm64 boots its disk through U-Boot; the image's rdinit= becomes init= on the disk's kernel command line.
  const boot = JSON.parse(readFileSync(join(deploy, 'base-qemuarm64.qemuboot.json'), 'utf8')) as { firmware: unknown; disks: { file: string }[] };
  assert.equal([boot.firmware, boot.disks[0].file], [{ bios: 'u-boot.bin' }, 'base-qemuarm64.disk.img']);
});

test('the image holds the dynamic busybox, the musl loader and the services, and no build path', () => {
  const cpio = gunzipSync(readFileSync(join(deploy, 'base-qemuarm64.cpio.gz')));
  // GNU cpio reads the archive as the kernel would (newc).
  const list = spawnSync('cpio', ['-it', '--quiet'], { input: cpio, encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(list.status, 0, list.stderr);
  const names = new Set(list.stdout.split('\n'));
  for (const name of [
    'lib/ld-musl-aarch64.so.1',
    'usr/lib/libc.so',
    'usr/lib/libz.so.1',
    'sbin/svinit',
    'etc/sv/dropbear/run',
    'etc/sv/dropbear/log/run',
    'etc/sv/console/run',
    'usr/bin/dropbearmulti',
    'etc/sv/udhcpc/run',
    'usr/share/udhcpc/default.script',
  ]) {
    assert.ok(names.has(name), `${name} is in the image`);
  }
  // busybox asks for musl's loader: it is dynamically linked.
  const busybox = spawnSync('cpio', ['-i', '--quiet', '--to-stdout', 'bin/busybox'], { input: cpio, maxBuffer: 1 << 26 });
  assert.is(busybox.status, 0, String(busybox.stderr));
  assert.is(busybox.stdout.readUInt16LE(18), 183, 'busybox is an aarch64 ELF (e_machine 183)');
  assert.ok(busybox.stdout.includes('/lib/ld-musl-aarch64.so.1\0'), 'busybox names the musl loader as its interpreter');
  const text = cpio.toString('latin1');
  assert.not.ok(text.includes(project), 'no path of the build folder in the image');
  assert.not.ok(text.includes(ROOT), 'no path of the checkout in the image');
});

test('strata testimage boots base, sees its services supervised, restarted and reachable over SSH from the host', async () => {
  const r = await strata(['testimage', 'base', '--machine', 'qemuarm64', '--project', project], { timeoutMs: 400_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const check of [
    'PID 1 is the supervisor',
    'the services are supervised',
    "the guest got its address from QEMU's DHCP server",
    'a login over SSH from the host runs a command',
    'a killed SSH server is restarted',
    'the restarted SSH server takes logins from the host, with the same host key',
    'the SSH server logs to its own log service, not the console',
  ]) {
    assert.match(r.stdout, `PASS ${check}`);
  }
  assert.match(r.stdout, /forwarded to 127\.0\.0\.1:\d+ for the SSH checks/);
  // The image's 11 and the board's 2 (architecture, root on the disk).
  assert.match(r.stdout, /13 of 13 checks passed/);
  assert.match(r.stdout, 'reboot: Power down');
});

test.run();

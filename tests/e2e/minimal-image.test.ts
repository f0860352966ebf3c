import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDirs, strata, TEST_CACHE } from '../helpers/strata.js';

// The main job, as a user runs it: build the default image `minimal` for
// qemuarm64 offline from the mirror that `npm run setup` fills (real cross
// gcc; musl, busybox, Linux and U-Boot from source), boot its disk in QEMU
// through U-Boot and run its checks, rebuild with nothing changed, and
// build it in a second folder from a mirror made by `strata mirror
// create` alone, restoring every task from the cache (same bytes), and boot
// that.
//
// The first build shares the suite's task cache (cache/ in the checkout, or
// STRATA_TEST_CACHE), so the kernel and U-Boot are compiled once per suite,
// not once per test file.

const tempDir = scratchDirs(test);
const project = tempDir('strata-e2e-');
const deploy = join(project, 'build/deploy/images/qemuarm64');
const cache = TEST_CACHE;
writeFileSync(join(project, 'strata.yaml'), `cache: ${cache}\n`);
const sum = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('the mirror from `npm run setup` is there', () => {
  assert.ok(existsSync(join(ROOT, 'mirror/sha256')), 'run `npm run setup` first: it fills mirror/');
});

test('strata build minimal --offline cross-builds and deploys a bootable image', async () => {
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project], { timeoutMs: 1_800_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  for (const f of [
    'minimal-qemuarm64.cpio.gz',
    'minimal-qemuarm64.disk.img',
    'Image-qemuarm64.bin',
    'u-boot.bin',
    'minimal-qemuarm64.manifest',
    'minimal-qemuarm64.qemuboot.json',
  ]) {
    assert.ok(existsSync(join(deploy, f)), f);
  }
  const manifest = readFileSync(join(deploy, 'minimal-qemuarm64.manifest'), 'utf8');
  assert.match(manifest, 'busybox busybox 1.35.0');
  assert.match(manifest, 'base-files base-files 1.0');
  // The distro's init system (init: busybox) comes with every image.
  assert.match(manifest, 'packagegroup-init-busybox packagegroup-init-busybox 1.0');
  assert.match(manifest, 'svinit svinit 1.0');
  // From the image: the work folders are not there when the cache restored busybox.
  const header = execFileSync('sh', ['-c', 'gzip -dc "$0" | cpio -i --quiet --to-stdout bin/busybox | head -c 20', join(deploy, 'minimal-qemuarm64.cpio.gz')]);
  assert.is(header.readUInt16LE(18), 183, 'busybox is an aarch64 ELF (e_machine 183)');
  // The disk: GPT, a bootable FAT boot partition with extlinux.conf naming the root partition by PARTUUID, ext4 root.
  const table = JSON.parse(execFileSync('sfdisk', ['--json', join(deploy, 'minimal-qemuarm64.disk.img')], { encoding: 'utf8' })) as {
    partitiontable: { label: string; partitions: { name: string; uuid: string; attrs?: string }[] };
  };
  assert.is(table.partitiontable.label, 'gpt');
  const [boot, root] = table.partitiontable.partitions;
  assert.equal([boot.name, boot.attrs, root.name], ['boot', 'LegacyBIOSBootable', 'root']);
  const bootFs = join(project, 'boot.vfat');
  const start = (table.partitiontable.partitions[0] as unknown as { start: number }).start;
  execFileSync('dd', [`if=${join(deploy, 'minimal-qemuarm64.disk.img')}`, `of=${bootFs}`, 'bs=512', `skip=${start}`, 'count=65536', 'status=none']);
  const conf = execFileSync('mtype', ['-i', bootFs, '::/extlinux/extlinux.conf'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  assert.match(conf, `root=PARTUUID=${root.uuid.toLowerCase()}`);
  assert.match(conf, /kernel \/Image\n/);
});

test('strata testimage boots it in QEMU and every check passes', async () => {
  const r = await strata(['testimage', 'minimal', '--machine', 'qemuarm64', '--project', project], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  // The board's boot chain: QEMU runs U-Boot, which finds extlinux.conf on the disk.
  assert.match(r.stdout, 'U-Boot 2023.01');
  assert.match(r.stdout, 'Retrieving file: /extlinux/extlinux.conf');
  assert.match(r.stdout, 'PASS architecture is aarch64');
  assert.match(r.stdout, 'PASS root file system is mounted from the disk');
  assert.match(r.stdout, 'PASS os-release names the distro');
  assert.match(r.stdout, /4 of 4 checks passed/);
  assert.match(r.stdout, 'reboot: Power down');
});

test('a second build with nothing changed runs no task and says so', async () => {
  const before = sum(join(deploy, 'minimal-qemuarm64.disk.img'));
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nothing to do: all \d+ tasks of minimal are up to date/);
  assert.not.match(r.stdout, /^start /m);
  assert.is(sum(join(deploy, 'minimal-qemuarm64.disk.img')), before, 'testimage left the deployed disk as it was built');
});

// The mirror is all another folder needs. That folder shares the suite's
// task cache, so it restores what the first build compiled: the default
// suite compiles Linux and U-Boot once, and the fetch phase still takes
// every source of the closure from the new mirror, verified, before any
// task (a missing one would stop the build). The cold rebuild from sources
// alone, bit for bit, is `npm run test:release`'s (strata reproduce, and a
// release's rebuild with no network and no cache), which CI runs too.
test('a mirror made by `strata mirror create` is all another folder needs: offline, it restores minimal without compiling, same bytes, and boots', async () => {
  const mirror = join(tempDir('strata-e2e-mirror-'), 'minimal-sources');
  const made = await strata(['mirror', 'create', mirror, 'minimal', '--machine', 'qemuarm64', '--offline', '--project', project]);
  assert.is(made.code, 0, made.stdout + made.stderr);
  const verified = await strata(['mirror', 'verify', mirror]);
  assert.is(verified.code, 0, verified.stdout + verified.stderr);
  const other = tempDir('strata-e2e-again-');
  // Only the new mirror: not mirror/, not the first folder's downloads.
  writeFileSync(join(other, 'strata.yaml'), `mirrors: [${mirror}]\noffline: true\ncache: ${cache}\n`);
  const r = await strata(['build', 'minimal', '--machine', 'qemuarm64', '--project', other], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const fetched = /fetch phase: (\d+) sources verified/.exec(r.stdout);
  assert.ok(fetched && Number(fetched[1]) >= 5, r.stdout.slice(0, 2000));
  assert.is(readdirSync(join(other, 'downloads')).filter((f) => !f.startsWith('.')).length > 0, true, 'the sources were copied from the mirror');
  assert.not.match(r.stdout, /^(start|done) +\S+:(configure|compile|install)/m, 'no configure, compile or install task ran');
  assert.match(r.stdout, /minimal: \d+ tasks: 0 run, \d+ restored from the cache/);
  for (const f of ['minimal-qemuarm64.cpio.gz', 'minimal-qemuarm64.disk.img'])
    assert.is(sum(join(other, 'build/deploy/images/qemuarm64', f)), sum(join(deploy, f)), f);
  const boot = await strata(['testimage', 'minimal', '--machine', 'qemuarm64', '--project', other], { timeoutMs: 300_000 });
  assert.is(boot.code, 0, boot.stdout + boot.stderr);
});

test.run();

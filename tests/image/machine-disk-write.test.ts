import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMachineDisk } from '../../core/build/tasks/image-disk.js';
import { loadMachine } from '../../core/config/machine.js';
import { EPOCH, fixtureTree } from './image-fixture.js';
import { scratchDirs } from '../helpers/strata.js';

// The image task's disk for a machine with `disk:`: built twice in two
// folders (two umasks, the tree listed in two orders), the same bytes; the
// boot partition's extlinux.conf names the root partition by the PARTUUID
// the table really has; raw writes land at their offsets; a raw file the
// boot chain does not deploy is an error at the machine line.

const tempDir = scratchDirs(test);
const MACHINE = [
  'arch: riscv64',
  'name: board',
  'disk:',
  '  table: gpt',
  '  partitions:',
  '    - { label: boot, fs: vfat, bootable: true, content: boot }',
  '    - { label: root, fs: ext4, content: rootfs }',
  '  raw:',
  '    - { name: env, file: uboot.env, offset: 20K }',
  '',
].join('\n');

function build(umask: number, reversed: boolean, machineText = MACHINE) {
  const dir = tempDir('strata-machine-disk-');
  writeFileSync(join(dir, 'board.yaml'), machineText);
  const machine = loadMachine(join(dir, 'board.yaml'));
  mkdirSync(join(dir, 'deploy'));
  writeFileSync(join(dir, 'deploy/Image'), Buffer.alloc(200_000, 'kernel'));
  writeFileSync(join(dir, 'deploy/board.dtb'), Buffer.alloc(3000, 'dtb'));
  writeFileSync(join(dir, 'deploy/uboot.env'), Buffer.alloc(1024, 'env'));
  const entries = fixtureTree(join(dir, 'tree'));
  const out = join(dir, 'minimal-board.disk.img');
  const old = process.umask(umask);
  const inputs = {
    machine,
    disk: machine.disk!,
    imageName: 'minimal',
    kernel: join(dir, 'deploy/Image'),
    bootFiles: new Map([['uboot.env', join(dir, 'deploy/uboot.env')]]),
    devicetrees: [join(dir, 'deploy/board.dtb')],
    bootargs: 'console=ttyS0 rootwait rw',
  };
  return writeMachineDisk(inputs, reversed ? [...entries].reverse() : entries, out, EPOCH)
    .then((root) => ({ dir, out, root }))
    .finally(() => process.umask(old));
}

test('two folders, two umasks, the tree in two orders: the same disk, byte for byte', async () => {
  const a = await build(0o022, false);
  const b = await build(0o077, true);
  assert.ok(readFileSync(a.out).equals(readFileSync(b.out)), 'disk bytes differ');
  assert.is(a.root, b.root);
});

test('extlinux.conf boots the kernel and device tree with root=PARTUUID= of the root partition; raw bytes at their offset', async () => {
  const { dir, out, root } = await build(0o022, false);
  const table = JSON.parse(execFileSync('sfdisk', ['--json', out], { encoding: 'utf8' })) as {
    partitiontable: { partitions: { name: string; uuid: string; start: number; size: number }[] };
  };
  const [boot, rootPart] = table.partitiontable.partitions;
  assert.is(root, `root=PARTUUID=${rootPart.uuid.toLowerCase()}`);
  const fat = join(dir, 'boot.vfat');
  execFileSync('dd', [`if=${out}`, `of=${fat}`, 'bs=512', `skip=${boot.start}`, `count=${boot.size}`, 'status=none']);
  const mtools = { encoding: 'utf8' as const, env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } };
  const conf = execFileSync('mtype', ['-i', fat, '::/extlinux/extlinux.conf'], mtools);
  assert.match(conf, `append console=ttyS0 rootwait rw ${root}\n`);
  assert.match(conf, /kernel \/Image\n {4}fdt \/board\.dtb\n/);
  assert.match(execFileSync('mdir', ['-i', fat, '-b', '::/'], mtools), /::\/Image\n/);
  assert.ok(
    readFileSync(out)
      .subarray(20 * 1024, 21 * 1024)
      .equals(Buffer.alloc(1024, 'env')),
    'raw write at 20K',
  );
  execFileSync('fsck.vfat', ['-n', fat], { stdio: 'ignore' });
});

test('a raw file the boot chain does not deploy fails the task at the machine line that names it', async () => {
  const err = await build(0o022, false, MACHINE.replace('file: uboot.env', 'file: u-boot.env')).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(err?.message ?? '', /board\.yaml:9:\d+: error\[disk-raw-file\]: disk: 'u-boot\.env' is not a file the boot chain deploys/);
  assert.match(err?.message ?? '', 'the boot chain deploys: uboot.env');
});

test.run();

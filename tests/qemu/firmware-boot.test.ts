import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qemuArgs } from '../../core/qemu/args.js';
import { boardChecks } from '../../core/qemu/board-checks.js';
import { parseQemuBoot, readQemuBoot } from '../../core/qemu/qemuboot.js';
import { scratchDirs } from '../helpers/strata.js';

// qemuboot.json for a board that boots from its disk through its own
// firmware and bootloader: `firmware` (-bios, -kernel, -pflash) instead of
// the kernel and initramfs, the disk on the board's bus, and the checks
// testimage adds for the board.

const tempDir = scratchDirs(test);
const FILE = '/deploy/minimal-qemuriscv64.qemuboot.json';
const spec = {
  version: 1,
  machine: 'qemuriscv64',
  image: 'minimal',
  qemu: { binary: 'qemu-system-riscv64', machine: 'virt' },
  firmware: { bios: 'fw_dynamic.bin', kernel: 'u-boot.bin' },
  disks: [{ file: 'minimal-qemuriscv64.disk.img', format: 'raw', device: 'virtio-blk-device' }],
  console: 'ttyS0',
  prompt: '# $',
};

test('with firmware, no kernel is needed; QEMU gets -bios, -kernel (the bootloader), the disk on -device, and no -append', () => {
  const r = parseQemuBoot(JSON.stringify(spec), FILE);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  if (!r.ok) return;
  const args = qemuArgs(r.value, '/deploy', { snapshot: true });
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.is(after('-bios'), '/deploy/fw_dynamic.bin');
  assert.is(after('-kernel'), '/deploy/u-boot.bin');
  assert.is(after('-drive'), 'file=/deploy/minimal-qemuriscv64.disk.img,format=raw,snapshot=on,if=none,id=disk0');
  assert.is(after('-device'), 'virtio-blk-device,drive=disk0');
  for (const flag of ['-append', '-initrd', '-dtb']) assert.not.ok(args.includes(flag), flag);
});

test('a disk without a device is attached with if= (virtio by default, or the interface given), and kept writable outside testimage', () => {
  const r = parseQemuBoot(JSON.stringify({ ...spec, firmware: { bios: 'u-boot.rom' }, disks: [{ file: 'd.img' }, { file: 'sd.img', interface: 'sd' }] }), FILE);
  assert.ok(r.ok);
  if (!r.ok) return;
  const drives = qemuArgs(r.value, '/deploy').filter((_, i, a) => a[i - 1] === '-drive');
  assert.equal(drives, ['file=/deploy/d.img,format=raw,if=virtio', 'file=/deploy/sd.img,format=raw,if=sd']);
});

test('without firmware the kernel is still required; firmware must name a file', () => {
  const noKernel = parseQemuBoot(JSON.stringify({ ...spec, firmware: undefined }), FILE);
  assert.ok(!noKernel.ok && noKernel.error.some((d) => d.message === "qemuboot: missing required key 'kernel'"));
  const empty = parseQemuBoot(JSON.stringify({ ...spec, firmware: {} }), FILE);
  assert.ok(!empty.ok && empty.error.some((d) => /firmware must name at least one/.test(d.message)));
  const typo = parseQemuBoot(JSON.stringify({ ...spec, firmware: { bois: 'x' } }), FILE);
  assert.ok(!typo.ok && typo.error.some((d) => d.code === 'schema-unknown-key' && d.hint === "did you mean 'bios'?"));
});

test('a missing firmware file is reported before QEMU starts, at its field', async () => {
  const dir = tempDir('strata-firmware-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'u-boot.bin'), 'u-boot');
  writeFileSync(join(dir, 'minimal-qemuriscv64.disk.img'), 'disk');
  writeFileSync(join(dir, 'q.qemuboot.json'), JSON.stringify(spec, null, 2));
  const r = await readQemuBoot(join(dir, 'q.qemuboot.json'));
  assert.ok(!r.ok);
  if (r.ok) return;
  assert.equal(
    r.error.map((d) => [d.code, d.message, d.location?.line]),
    [['qemuboot-missing-file', `qemuboot field "firmware.bios" names ${join(dir, 'fw_dynamic.bin')}, which is not a file`, 10]],
  );
});

test('board checks: the architecture always; the root on the disk only for a firmware boot from a disk', () => {
  const disk = boardChecks('riscv64', { firmware: { bios: 'fw_dynamic.bin' }, disks: [{ file: 'd.img', format: 'raw' }] });
  assert.equal(
    disk.map((c) => c.name),
    ['architecture is riscv64', 'root file system is mounted from the disk'],
  );
  const root = new RegExp(disk[1].match!, 'm');
  assert.ok(root.test('/dev/root / ext4 rw,relatime 0 0\nconsole=ttyS0 rootwait rw root=PARTUUID=0a1b2c3d-aaaa-bbbb-cccc-0123456789ab'));
  assert.not.ok(root.test('rootfs / rootfs rw 0 0\nconsole=ttyS0 rdinit=/sbin/init'), 'an initramfs is not the disk');
  assert.equal(
    boardChecks('aarch64', { disks: [] }).map((c) => c.name),
    ['architecture is aarch64'],
  );
});

test.run();

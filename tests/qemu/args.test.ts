import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeOptionValue, kernelCommandLine, nicOption, qemuArgs, shellCommand } from '../../core/qemu/args.js';
import type { QemuBoot } from '../../core/qemu/qemuboot.js';

const boot: QemuBoot = {
  file: '/deploy/images/qemuarm64/minimal-qemuarm64.qemuboot.json',
  dir: '/deploy/images/qemuarm64',
  machine: 'qemuarm64',
  image: 'minimal',
  qemu: { binary: 'qemu-system-aarch64', machine: 'virt', cpu: 'cortex-a53', memory: 1024, smp: 2, extraArgs: ['-rtc', 'base=utc'] },
  kernel: 'Image-qemuarm64.bin',
  initrd: 'minimal-qemuarm64.cpio.gz',
  disks: [],
  append: 'console=ttyAMA0 rdinit=/sbin/init',
  console: 'ttyAMA0',
  network: 'none',
  prompt: '~ # ',
  poweroff: 'poweroff -f',
};

test('qemuArgs: the whole command line, paths resolved against the qemuboot folder', () => {
  assert.equal(qemuArgs(boot), [
    '-nographic',
    '-no-reboot',
    '-M',
    'virt',
    '-cpu',
    'cortex-a53',
    '-m',
    '1024',
    '-smp',
    '2',
    '-chardev',
    'stdio,id=console,mux=on,signal=off',
    '-serial',
    'chardev:console',
    '-mon',
    'chardev=console,mode=readline',
    '-nic',
    'none',
    '-kernel',
    '/deploy/images/qemuarm64/Image-qemuarm64.bin',
    '-initrd',
    '/deploy/images/qemuarm64/minimal-qemuarm64.cpio.gz',
    '-append',
    'console=ttyAMA0 rdinit=/sbin/init panic=-1',
    '-rtc',
    'base=utc',
  ]);
});

test('qemuArgs: an explicit dir wins over boot.dir; absolute paths stay', () => {
  const args = qemuArgs({ ...boot, initrd: '/abs/rootfs.cpio.gz' }, '/elsewhere');
  assert.is(args[args.indexOf('-kernel') + 1], '/elsewhere/Image-qemuarm64.bin');
  assert.is(args[args.indexOf('-initrd') + 1], '/abs/rootfs.cpio.gz');
});

test('qemuArgs: optional parts appear only when set', () => {
  const bare = qemuArgs({ ...boot, initrd: undefined, qemu: { ...boot.qemu, cpu: undefined, extraArgs: [] } });
  assert.not.ok(bare.includes('-initrd'));
  assert.not.ok(bare.includes('-cpu'));
  assert.not.ok(bare.includes('-dtb'));
  assert.not.ok(bare.includes('-drive'));
  const full = qemuArgs({
    ...boot,
    dtb: 'board.dtb',
    network: 'user',
    disks: [
      { file: 'root,fs.ext4', format: 'raw' },
      { file: 'data.qcow2', format: 'qcow2' },
    ],
  });
  assert.is(full[full.indexOf('-dtb') + 1], '/deploy/images/qemuarm64/board.dtb');
  assert.is(full[full.indexOf('-nic') + 1], 'user');
  const drives = full.flatMap((a, i) => (a === '-drive' ? [full[i + 1]] : []));
  assert.equal(drives, ['file=/deploy/images/qemuarm64/root,,fs.ext4,format=raw,if=virtio', 'file=/deploy/images/qemuarm64/data.qcow2,format=qcow2,if=virtio']);
});

test('nicOption: no network, user network, and forwards bound to 127.0.0.1 only', () => {
  const table: [Parameters<typeof nicOption>[0], Parameters<typeof nicOption>[1], string][] = [
    [{ network: 'none' }, [], 'none'],
    [{ network: 'user' }, [], 'user'],
    // Forwards need the user network, whatever qemuboot.json says.
    [{ network: 'none' }, [{ host: 40022, guest: 22 }], 'user,hostfwd=tcp:127.0.0.1:40022-:22'],
    [
      { network: 'user' },
      [
        { host: 40022, guest: 22 },
        { host: 40080, guest: 80 },
      ],
      'user,hostfwd=tcp:127.0.0.1:40022-:22,hostfwd=tcp:127.0.0.1:40080-:80',
    ],
  ];
  for (const [boot, forwards, want] of table) assert.is(nicOption(boot, forwards), want);
  const args = qemuArgs(boot, boot.dir, { forwards: [{ host: 2222, guest: 22 }] });
  assert.is(args[args.indexOf('-nic') + 1], 'user,hostfwd=tcp:127.0.0.1:2222-:22');
  assert.is(args.filter((a) => a === '-nic').length, 1);
});

test('kernelCommandLine: adds console= and panic=-1 unless already given', () => {
  assert.is(kernelCommandLine({ append: 'rdinit=/init', console: 'ttyAMA0' }), 'console=ttyAMA0 rdinit=/init panic=-1');
  assert.is(kernelCommandLine({ append: 'console=ttyS0 panic=5', console: 'ttyAMA0' }), 'console=ttyS0 panic=5');
  assert.is(kernelCommandLine({ append: '', console: undefined }), 'panic=-1');
  assert.is(kernelCommandLine({ append: 'earlycon=pl011,0x9000000', console: 'ttyAMA0' }), 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1');
});

test('escapeOptionValue doubles commas; shellCommand quotes what a shell would split', () => {
  assert.is(escapeOptionValue('a,b,,c'), 'a,,b,,,,c');
  assert.is(shellCommand(['qemu', '-append', "console=ttyAMA0 it's", '-m', '512']), `qemu -append 'console=ttyAMA0 it'\\''s' -m 512`);
});

test.run();

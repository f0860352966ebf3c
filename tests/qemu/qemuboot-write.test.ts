import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_CONSOLE, loadMachine, type QemuSystem } from '../../core/config/machine.js';
import { parseQemuBoot, type QemuBootRecord } from '../../core/qemu/qemuboot.js';
import { formatQemuBoot, qemuBootFor } from '../../core/qemu/qemuboot-write.js';
import { scratchDirs } from '../helpers/strata.js';

// qemuboot.json's writer (deploy) and reader (runqemu, testimage) sit side
// by side in core/qemu/qemuboot.ts over one type: whatever is written reads
// back as the same record.

const tempDir = scratchDirs(test);
const FILE = '/deploy/minimal-board.qemuboot.json';
const QEMU: QemuSystem = { binary: 'qemu-system-aarch64', machine: 'virt', cpu: 'cortex-a53', memory: 1024, smp: 2, extraArgs: ['-rtc', 'base=utc'] };
const BASE: QemuBootRecord = {
  machine: 'board',
  image: 'minimal',
  qemu: QEMU,
  kernel: 'Image-board.bin',
  initrd: 'minimal-board.cpio.gz',
  disks: [],
  append: 'console=ttyAMA0 rdinit=/sbin/init',
  console: 'ttyAMA0',
  network: 'none',
  prompt: '# $',
  poweroff: 'poweroff -f',
};

/** Absent and undefined fields are the same record. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const ROWS: [string, QemuBootRecord][] = [
  ['everything set', BASE],
  [
    'no cpu, no initrd, defaults for memory and smp',
    { ...BASE, qemu: { binary: 'qemu-system-x86_64', machine: 'pc', memory: 512, smp: 1, extraArgs: [] }, initrd: undefined },
  ],
  [
    'disks, a device tree, user networking',
    {
      ...BASE,
      dtb: 'board.dtb',
      disks: [
        { file: 'a.ext4', format: 'raw' },
        { file: 'b,c.qcow2', format: 'qcow2' },
      ],
      network: 'user',
    },
  ],
  ['text that needs escaping', { ...BASE, append: 'console=ttyAMA0 msg="a \\"b\\"" ünïcode', prompt: '\\$ $', poweroff: 'echo o > /proc/sysrq-trigger' }],
  ['no console, an empty command line', { ...BASE, console: undefined, append: '' }],
  ['a machine boot timeout', { ...BASE, bootTimeout: 900 }],
];

for (const [what, record] of ROWS) {
  test(`round trip: ${what}`, () => {
    const text = formatQemuBoot(record);
    const r = parseQemuBoot(text, FILE);
    if (!r.ok) assert.unreachable(r.error.map((d) => d.message).join('\n'));
    else assert.equal(plain(r.value), plain({ ...record, file: FILE, dir: '/deploy' }));
  });
}

test('defaults are left out of the file, and it carries its version first', () => {
  const json = JSON.parse(formatQemuBoot(BASE)) as Record<string, unknown>;
  assert.is(Object.keys(json)[0], 'version');
  assert.is(json.version, 1);
  assert.not.ok('disks' in json);
  assert.not.ok('network' in json);
  assert.ok('network' in JSON.parse(formatQemuBoot({ ...BASE, network: 'user' })));
});

test('from a machine file: its qemu settings as written, one console default for the kernel and the rootfs', () => {
  const dir = tempDir();
  const file = join(dir, 'board.yaml');
  writeFileSync(file, 'arch: aarch64\nqemu:\n  binary: qemu-system-aarch64\n  machine: virt\n  extraArgs: [-rtc, base=utc]\n');
  const machine = loadMachine(file);
  assert.is(machine.console, DEFAULT_CONSOLE);
  assert.equal(machine.qemu, { binary: 'qemu-system-aarch64', machine: 'virt', cpu: undefined, memory: 512, smp: 1, extraArgs: ['-rtc', 'base=utc'] });
  const record = qemuBootFor(machine, machine.qemu!, { image: 'minimal', kernel: 'Image-board.bin', initrd: 'minimal-board.cpio.gz' });
  assert.is(record.console, DEFAULT_CONSOLE);
  assert.is(record.append, `console=${DEFAULT_CONSOLE} rdinit=/sbin/init`);
  const back = parseQemuBoot(formatQemuBoot(record), join(dir, 'minimal-board.qemuboot.json'));
  assert.ok(back.ok);
  if (back.ok) assert.equal(plain(back.value.qemu), plain(machine.qemu));
});

test("a machine's qemu: boot-timeout: (seconds) reaches qemuboot.json as bootTimeout, and reads back", () => {
  const dir = tempDir();
  const file = join(dir, 'slow.yaml');
  writeFileSync(file, 'arch: riscv64\nqemu:\n  binary: qemu-system-riscv64\n  machine: sifive_u\n  boot-timeout: 900\n');
  const machine = loadMachine(file);
  assert.is(machine.qemu?.bootTimeout, 900);
  const record = qemuBootFor(machine, machine.qemu!, { image: 'minimal', kernel: 'k' });
  assert.is(record.bootTimeout, 900);
  const text = formatQemuBoot(record);
  assert.is((JSON.parse(text) as { bootTimeout: number }).bootTimeout, 900);
  const back = parseQemuBoot(text, join(dir, 'minimal-slow.qemuboot.json'));
  assert.ok(back.ok && back.value.bootTimeout === 900);
  // Left out when the machine sets none, so other machines' files keep their bytes.
  assert.not.ok(
    'bootTimeout' in JSON.parse(formatQemuBoot(qemuBootFor(machine, { ...machine.qemu!, bootTimeout: undefined }, { image: 'minimal', kernel: 'k' }))),
  );
});

test('image variables choose the command line, prompt and poweroff', () => {
  const r = qemuBootFor({ name: 'board', console: 'ttyS1' }, QEMU, {
    image: 'minimal',
    kernel: 'k',
    append: 'quiet',
    prompt: '\\$ $',
    poweroff: 'halt',
  });
  assert.equal([r.append, r.prompt, r.poweroff, r.console], ['quiet', '\\$ $', 'halt', 'ttyS1']);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boardChecks } from '../../core/qemu/board-checks.js';
import { QemuConsole, readQemuBoot, testImage, type QemuBoot } from '../../core/qemu/index.js';
import { ext4Names, extractPartition, fatFile, fsckClean, partitionTable } from '../helpers/disk-inspect.js';
import { ROOT, scratchDirs, strata, TEST_CACHE } from '../helpers/strata.js';

// Every board, for real (opt-in: `npm run test:boards`): build `minimal`
// with the from-source kernel and boot chain, then boot it in QEMU 7.2:
//  - the kernel with the initramfs, on the from-source OpenSBI where the
//    board has one, to the busybox shell, where checks run;
//  - U-Boot from source: to its prompt, and on the virt boards on to
//    loading that kernel and initramfs from memory and booting them;
//  - every board the way it boots, with `strata testimage`: the firmware
//    and U-Boot from the deployed disk (on the HiFive Unleashed its SD card:
//    U-Boot SPL → OpenSBI + U-Boot from the FIT image), extlinux.conf, Linux,
//    the root file system on the disk.
// The project shares the suites' task cache (TEST_CACHE: cache/ or STRATA_TEST_CACHE), so what a
// developer built is restored instead of compiled again; a cold run builds
// four kernels and five bootloaders (see docs/boards.md for times).

const tempDir = scratchDirs(test);
const project = tempDir('strata-boards-');
writeFileSync(join(project, 'strata.yaml'), `mirrors: [${join(ROOT, 'mirror')}]\noffline: true\ncache: ${TEST_CACHE}\n`);
const deployOf = (m: string) => join(project, 'build/deploy/images', m);

interface Board {
  readonly arch: string;
  readonly uname: string;
  /** Files the build must deploy besides image, kernel and manifest. */
  readonly deployed: string[];
  /** Kernel image format: offset and bytes of its magic. */
  readonly magic: [number, string];
  /** QEMU arguments that put the from-source firmware under the kernel, if any. */
  readonly firmware?: (deploy: string) => string[];
}

const BOARDS: Record<string, Board> = {
  qemuarm64: { arch: 'aarch64', uname: 'aarch64', deployed: ['u-boot.bin', 'config-6.1.176'], magic: [56, 'ARM\x64'] },
  qemuriscv64: {
    arch: 'riscv64',
    uname: 'riscv64',
    deployed: ['u-boot.bin', 'fw_dynamic.bin', 'fw_jump.bin', 'config-6.1.176'],
    magic: [56, 'RSC\x05'],
    firmware: (d) => ['-bios', join(d, 'fw_dynamic.bin')],
  },
  'qemux86-64': { arch: 'x86_64', uname: 'x86_64', deployed: ['u-boot.rom', 'config-6.1.176'], magic: [0x202, 'HdrS'] },
  'sifive-unleashed': {
    arch: 'riscv64',
    uname: 'riscv64',
    deployed: ['u-boot-spl.bin', 'u-boot.itb', 'fw_dynamic.bin', 'hifive-unleashed-a00.dtb', 'config-6.1.176'],
    magic: [56, 'RSC\x05'],
    firmware: (d) => ['-bios', join(d, 'fw_dynamic.bin')],
  },
};

const only = process.env.STRATA_BOARDS?.split(',');
const boards = Object.entries(BOARDS).filter(([m]) => !only || only.includes(m));

async function bootOf(machine: string): Promise<QemuBoot> {
  const r = await readQemuBoot(join(deployOf(machine), `minimal-${machine}.qemuboot.json`));
  if (!r.ok) throw new Error(r.error.map((d) => d.message).join('\n'));
  return r.value;
}

for (const [machine, board] of boards) {
  test(`${machine}: strata build minimal cross-builds musl, busybox, Linux and the boot chain, and deploys them`, async () => {
    const started = Date.now();
    const r = await strata(['build', 'minimal', '--machine', machine, '--project', project], { timeoutMs: 5_400_000 });
    assert.is(r.code, 0, r.stdout.slice(-4000) + r.stderr);
    process.stdout.write(`  ${machine}: build ${Math.round((Date.now() - started) / 1000)} s\n`);
    const deploy = deployOf(machine);
    for (const f of [`Image-${machine}.bin`, `minimal-${machine}.cpio.gz`, ...board.deployed]) assert.ok(existsSync(join(deploy, f)), `${f} deployed`);
    const kernel = readFileSync(join(deploy, `Image-${machine}.bin`));
    const [at, magic] = board.magic;
    assert.is(kernel.subarray(at, at + magic.length).toString('latin1'), magic, 'kernel image format');
    const config = readFileSync(join(deploy, 'config-6.1.176'), 'utf8');
    assert.match(config, /^CONFIG_BLK_DEV_INITRD=y$/m);
    assert.match(config, /^CONFIG_BLK_DEV_LOOP=m$/m);
    // From the image itself: the work folders are not there when the cache restored the image.
    const busybox = execFileSync('sh', [
      '-c',
      `gzip -dc "$0" | cpio -i --quiet --to-stdout bin/busybox | head -c 20`,
      join(deploy, `minimal-${machine}.cpio.gz`),
    ]);
    const eMachine: Record<string, number> = { aarch64: 183, riscv64: 243, x86_64: 62 };
    assert.is(busybox.readUInt16LE(18), eMachine[board.arch], 'busybox ELF machine');
  });

  test(`${machine}: the from-source kernel boots the initramfs to a shell${board.firmware ? ' on the from-source OpenSBI' : ''}`, async () => {
    const boot = await bootOf(machine);
    const extra = board.firmware?.(deployOf(machine)) ?? [];
    // The machines with a disk deploy a qemuboot.json that boots it through the firmware; this boot is the kernel and initramfs.
    const direct = {
      ...boot,
      firmware: undefined,
      disks: [],
      kernel: `Image-${machine}.bin`,
      initrd: `minimal-${machine}.cpio.gz`,
      append: boot.append || `console=${boot.console} rdinit=/sbin/init`,
    };
    // The bare board: with sifive_u's msel=11 (SD card boot, which the disk boot needs) QEMU 7.2 runs OpenSBI but Linux never starts.
    const qemu = { ...boot.qemu, machine: boot.qemu.machine.split(',')[0], extraArgs: [...boot.qemu.extraArgs, ...extra] };
    const withFirmware: QemuBoot = { ...direct, qemu };
    const result = await testImage(
      withFirmware,
      [
        { name: 'architecture', run: 'uname -m', expect: board.uname },
        { name: 'the kernel built here', run: 'cat /proc/version', match: 'Linux version 6\\.1\\.176 \\(strata@strata\\)' },
        { name: 'devtmpfs and proc are mounted', run: 'ls /dev/console /proc/self/status' },
      ],
      { log: join(project, `boot-${machine}.log`), bootTimeoutMs: 300_000, commandTimeoutMs: 60_000, shutdownTimeoutMs: 60_000 },
    );
    const log = readFileSync(result.log, 'utf8');
    assert.ok(
      result.passed,
      `${result.reason ?? ''}\n${result.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.output} ${c.reason ?? ''}`).join('\n')}\n${log.slice(-3000)}`,
    );
    if (board.firmware) assert.match(log, 'OpenSBI v1.1');
  });
}

// The way the board boots: its firmware and U-Boot from the deployed
// qemuboot.json, extlinux.conf on the disk, the root file system on the disk.
// The PC's U-Boot ROM boots the bzImage with zboot (the 32-bit boot
// protocol); the Unleashed boots its SD card: SPL, OpenSBI and U-Boot from
// their partitions, then the boot and root partitions.
const BOOTED_BY: Record<string, string> = {
  qemuarm64: 'Retrieving file: /Image',
  qemuriscv64: 'Retrieving file: /Image',
  'qemux86-64': 'Loading bzImage at address 100000',
};
for (const [machine, bootedBy] of Object.entries(BOOTED_BY).filter(([m]) => !only || only.includes(m))) {
  test(`${machine}: strata testimage boots the disk through the firmware and U-Boot, root on the disk`, async () => {
    const r = await strata(['testimage', 'minimal', '--machine', machine, '--project', project], { timeoutMs: 600_000 });
    assert.is(r.code, 0, r.stdout.slice(-5000) + r.stderr);
    assert.match(r.stdout, 'Retrieving file: /extlinux/extlinux.conf');
    assert.match(r.stdout, bootedBy);
    assert.match(r.stdout, `PASS architecture is ${BOARDS[machine].uname}`);
    assert.match(r.stdout, 'PASS root file system is mounted from the disk');
  });
}

/** Runs QEMU on a console and walks through `steps`: wait for text, then type a line. */
async function drive(binary: string, args: string[], log: string, steps: [RegExp, string | undefined][], timeoutMs = 300_000): Promise<string> {
  const qemu = await QemuConsole.start(binary, args, { log });
  try {
    for (const [wanted, type] of steps) {
      const r = await qemu.expect(wanted, timeoutMs);
      if (r.kind !== 'match') throw new Error(`no ${wanted} on the console (${r.kind}); last lines:\n${qemu.recentLines(30).join('\n')}`);
      if (type !== undefined) qemu.write(`${type}\n`);
    }
    const { killed } = await qemu.waitForExit(60_000);
    return killed ? 'killed' : 'exited';
  } finally {
    if (!qemu.hasExited) await qemu.kill();
    await qemu.closeLog();
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;
const common = ['-nographic', '-no-reboot', '-nic', 'none', '-m', '1024'];

// U-Boot → Linux on the virt boards: QEMU's loader device puts the kernel
// and initramfs in RAM, U-Boot's booti boots them with its device tree,
// copied first to where it has room to grow (booti adds /chosen: in place,
// U-Boot's own copy has no room, "fdt fixup event failed: -22"; QEMU's arm64
// one is 1 MiB).
const UBOOT_LINUX: Record<string, { binary: string; args: (d: string) => string[]; kernelAt: number; initrdAt: number; fdtAt: number; console: string }> = {
  qemuarm64: {
    binary: 'qemu-system-aarch64',
    args: (d) => ['-M', 'virt', '-cpu', 'cortex-a53', '-bios', join(d, 'u-boot.bin')],
    kernelAt: 0x40400000,
    initrdAt: 0x48000000,
    fdtAt: 0x47000000,
    console: 'ttyAMA0',
  },
  qemuriscv64: {
    binary: 'qemu-system-riscv64',
    args: (d) => ['-M', 'virt', '-bios', join(d, 'fw_dynamic.bin'), '-kernel', join(d, 'u-boot.bin')],
    kernelAt: 0x84000000,
    // U-Boot's ramdisk_addr_r (include/configs/qemu-riscv.h): its preboot
    // (u-boot/files/fdt-copy-with-room.cfg) copies the devicetree to
    // fdt_addr_r, 0x8c000000, with 1 MiB of room, over an initramfs put there
    // ("Bad FIT ramdisk image format!": booti found the FDT's magic).
    initrdAt: 0x8c300000,
    fdtAt: 0x88000000,
    console: 'ttyS0',
  },
};

for (const [machine, u] of Object.entries(UBOOT_LINUX).filter(([m]) => !only || only.includes(m))) {
  test(`${machine}: U-Boot from source reaches its prompt, loads the kernel and initramfs and boots them to a shell`, async () => {
    const d = deployOf(machine);
    const initrd = join(d, `minimal-${machine}.cpio.gz`);
    const size = statSync(initrd).size;
    const args = [
      ...common,
      ...u.args(d),
      '-device',
      `loader,file=${join(d, `Image-${machine}.bin`)},addr=${hex(u.kernelAt)},force-raw=on`,
      '-device',
      `loader,file=${initrd},addr=${hex(u.initrdAt)},force-raw=on`,
    ];
    const end = await drive(u.binary, args, join(project, `u-boot-${machine}.log`), [
      [/Hit any key to stop autoboot/, ''],
      [/=> $/, `setenv bootargs console=${u.console} rdinit=/sbin/init panic=-1`],
      [/=> $/, `fdt addr \${fdtcontroladdr}; fdt move \${fdtcontroladdr} ${hex(u.fdtAt)} 0x200000`],
      [/=> $/, `booti ${hex(u.kernelAt)} ${hex(u.initrdAt)}:${hex(size)} ${hex(u.fdtAt)}`],
      [/Linux version 6\.1\.176/, undefined],
      [/# $/, 'uname -m; poweroff -f'],
      [/reboot: Power down/, undefined],
    ]);
    assert.is(end, 'exited');
  });
}

if (!only || only.includes('qemux86-64')) {
  test('qemux86-64: U-Boot from source as the PC firmware (u-boot.rom) reaches its prompt', async () => {
    const d = deployOf('qemux86-64');
    const end = await drive('qemu-system-x86_64', [...common, '-M', 'pc', '-bios', join(d, 'u-boot.rom')], join(project, 'u-boot-qemux86-64.log'), [
      [/U-Boot 2023\.01/, undefined],
      [/=> $/, 'version'],
      // This U-Boot has no poweroff command; reset ends QEMU (-no-reboot).
      [/=> $/, 'reset'],
    ]);
    assert.is(end, 'exited');
  });
}

if (!only || only.includes('sifive-unleashed')) {
  // As testimage does, with the board checks and the time to boot the
  // machine's qemu: boot-timeout: gives (deployed in its qemuboot.json):
  // U-Boot reads the kernel from the SD card over emulated SPI, byte by
  // byte, which takes minutes on a loaded host (testimage's default is 120 s).
  test('sifive-unleashed: its SD card boots: SPL → OpenSBI → U-Boot → extlinux.conf → Linux, root on the card', async () => {
    const boot = await bootOf('sifive-unleashed');
    assert.is(boot.bootTimeout, 900, "the machine's boot-timeout: in the deployed qemuboot.json");
    const result = await testImage(boot, boardChecks('riscv64', boot), {
      log: join(project, 'sd-sifive-unleashed.log'),
      commandTimeoutMs: 60_000,
      shutdownTimeoutMs: 60_000,
    });
    const log = readFileSync(result.log, 'utf8');
    assert.ok(
      result.passed,
      `${result.reason ?? ''}\n${result.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.name}: ${c.output}`).join('\n')}\n${log.slice(-3000)}`,
    );
    for (const step of [
      'U-Boot SPL 2023.01',
      'Trying to boot from MMC1',
      'Retrieving file: /extlinux/extlinux.conf',
      'Retrieving file: /hifive-unleashed-a00.dtb',
    ])
      assert.match(log, step);
    assert.match(log, /EXT4-fs \(mmcblk0p4\): mounted/);
  });

  // The SD card `strata build` wrote from the machine's disk: with the real
  // SPL, FIT, kernel and root file system (tests/image/sdcard-unleashed
  // checks the layout with stand-ins); testimage above boots it.
  test('sifive-unleashed: the SD card holds the built SPL, FIT, kernel, device tree and root file system, both file systems clean', () => {
    const d = deployOf('sifive-unleashed');
    const sd = join(d, 'minimal-sifive-unleashed.disk.img');
    const [loader1, loader2, boot, root] = partitionTable(sd).partitions;
    const bytes = readFileSync(sd);
    for (const [p, f] of [
      [loader1, 'u-boot-spl.bin'],
      [loader2, 'u-boot.itb'],
    ] as const) {
      const want = readFileSync(join(d, f));
      assert.ok(bytes.subarray(p.start * 512, p.start * 512 + want.length).equals(want), `${f} in ${p.name}`);
    }
    const fat = extractPartition(sd, boot, project);
    assert.ok(fatFile(fat, '/Image').equals(readFileSync(join(d, 'Image-sifive-unleashed.bin'))), 'the kernel');
    assert.ok(fatFile(fat, '/hifive-unleashed-a00.dtb').equals(readFileSync(join(d, 'hifive-unleashed-a00.dtb'))), 'the device tree');
    assert.match(fatFile(fat, '/extlinux/extlinux.conf').toString(), `root=PARTUUID=${root.uuid.toLowerCase()}`);
    fsckClean(fat, 'vfat');
    const ext4 = extractPartition(sd, root, project);
    assert.ok(ext4Names(ext4, '/bin').includes('busybox'));
    fsckClean(ext4, 'ext4');
  });
}

test.run();

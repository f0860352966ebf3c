import { resolve } from 'node:path';
import type { QemuBoot } from './qemuboot.js';

// The QEMU command line for a boot, as a pure function so it can be tested
// and printed for a user to re-run by hand.

/**
 * QEMU splits `-drive` style option values on commas; a literal comma in a
 * value is written twice (qemu-options: "file=my,,file" means "my,file").
 */
export function escapeOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/**
 * The kernel command line: `append`, with `console=` added when it names
 * none, and `panic=-1` unless it sets `panic=`: Linux hangs on a panic by
 * default, and only a kernel that reboots at once lets -no-reboot end QEMU.
 */
export function kernelCommandLine(boot: Pick<QemuBoot, 'append' | 'console'>): string {
  const words = [boot.append.trim()];
  if (boot.console && !/(^|\s)console=/.test(boot.append)) words.unshift(`console=${boot.console}`);
  if (!/(^|\s)panic=/.test(boot.append)) words.push('panic=-1');
  return words.filter(Boolean).join(' ');
}

/** A guest TCP port reachable from the host at 127.0.0.1:host (QEMU user networking's hostfwd). */
export interface PortForward {
  readonly host: number;
  readonly guest: number;
}

/**
 * The `-nic` value: none, or QEMU's user-mode network (slirp) with each
 * forward as `hostfwd=tcp:127.0.0.1:<host>-:<guest>` (qemu-options: hostfwd,
 * guest address left empty, i.e. the first DHCP address, 10.0.2.15). A boot
 * with forwards gets the user network even when qemuboot.json says none.
 * The host side is bound to loopback only: nothing outside this machine
 * reaches the guest.
 */
export function nicOption(boot: Pick<QemuBoot, 'network'>, forwards: readonly PortForward[] = []): string {
  if (boot.network !== 'user' && forwards.length === 0) return 'none';
  return ['user', ...forwards.map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`)].join(',');
}

/**
 * Arguments for `boot.qemu.binary` (not including the binary itself).
 * Relative paths in `boot` are resolved against `dir`, normally the folder of
 * the qemuboot.json file.
 */
export function qemuArgs(
  boot: QemuBoot,
  dir: string = boot.dir,
  options: { readonly forwards?: readonly PortForward[]; readonly snapshot?: boolean } = {},
): string[] {
  const at = (p: string): string => resolve(dir, p);
  const { qemu } = boot;
  const args: string[] = [
    // No window: the serial console is the user interface.
    '-nographic',
    // A guest reboot or kernel panic ends QEMU instead of looping forever;
    // testimage relies on that to never wait on a dead guest.
    '-no-reboot',
    '-M',
    qemu.machine,
  ];
  if (qemu.cpu) args.push('-cpu', qemu.cpu);
  args.push('-m', String(qemu.memory), '-smp', String(qemu.smp));
  // The serial port and the monitor share stdio through QEMU's mux, as
  // -nographic would set up, but with signal=off: Ctrl-C goes to the guest
  // (to interrupt a command there) instead of killing QEMU. Ctrl-A X still
  // quits, and Strata kills QEMU itself on SIGINT/SIGTERM.
  args.push('-chardev', 'stdio,id=console,mux=on,signal=off', '-serial', 'chardev:console', '-mon', 'chardev=console,mode=readline');
  // QEMU adds a user-mode NIC by default; a test boot should not reach out.
  args.push('-nic', nicOption(boot, options.forwards ?? []));
  if (boot.firmware) {
    // The board's own boot chain: firmware and bootloader find the kernel,
    // device tree and command line on the disk (extlinux/extlinux.conf).
    const f = boot.firmware;
    if (f.bios) args.push('-bios', at(f.bios));
    if (f.kernel) args.push('-kernel', at(f.kernel));
    if (f.pflash) args.push('-drive', `file=${escapeOptionValue(at(f.pflash))},format=raw,if=pflash,readonly=on`);
  } else {
    if (boot.kernel) args.push('-kernel', at(boot.kernel));
    if (boot.initrd) args.push('-initrd', at(boot.initrd));
    if (boot.dtb) args.push('-dtb', at(boot.dtb));
    const cmdline = kernelCommandLine(boot);
    if (cmdline) args.push('-append', cmdline);
  }
  boot.disks.forEach((disk, n) => {
    // snapshot=on: writes go to a temporary file, so a test boot leaves the deployed disk as built.
    const drive = `file=${escapeOptionValue(at(disk.file))},format=${disk.format}${options.snapshot ? ',snapshot=on' : ''}`;
    if (disk.device) args.push('-drive', `${drive},if=none,id=disk${n}`, '-device', `${disk.device},drive=disk${n}`);
    else args.push('-drive', `${drive},if=${disk.interface ?? 'virtio'}`);
  });
  args.push(...qemu.extraArgs);
  return args;
}

/** A command line a user can paste into a POSIX shell. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

import type { Machine, MachineQemu } from '../config/machine.js';
import { DEFAULT_POWEROFF, DEFAULT_PROMPT, QEMUBOOT_VERSION, type QemuBootRecord, type QemuDisk, type QemuFirmware, type QemuSystem } from './qemuboot.js';

// The writer of qemuboot.json, beside its reader (qemuboot.ts): the record
// deploy makes for an image on a machine, and its text.

/** What the image's variables may set in a qemuboot.json (KERNEL_CMDLINE, TEST_PROMPT, TEST_POWEROFF); the rest comes from the machine. */
export interface QemuBootChoices {
  readonly image: string;
  /** File names in the deploy folder; no kernel when the firmware boots the disks. */
  readonly kernel?: string;
  readonly initrd?: string;
  readonly firmware?: QemuFirmware;
  readonly disks?: readonly QemuDisk[];
  readonly append?: string;
  readonly prompt?: string;
  readonly poweroff?: string;
}

/** The qemuboot record of an image on a machine with `qemu:` settings. */
export function qemuBootFor(
  machine: Pick<Machine, 'name' | 'console'>,
  qemu: QemuSystem & Pick<MachineQemu, 'bootTimeout'>,
  choices: QemuBootChoices,
): QemuBootRecord {
  return {
    machine: machine.name,
    image: choices.image,
    // Only the shared settings: how a machine loads firmware and attaches disks is written as `firmware` and `disks`.
    qemu: { binary: qemu.binary, machine: qemu.machine, cpu: qemu.cpu, memory: qemu.memory, smp: qemu.smp, extraArgs: qemu.extraArgs },
    kernel: choices.kernel,
    firmware: choices.firmware,
    initrd: choices.initrd,
    disks: choices.disks ?? [],
    // The firmware boots from the disk, whose boot partition holds the command line.
    append: choices.firmware ? '' : (choices.append ?? `console=${machine.console} rdinit=/sbin/init`),
    console: machine.console,
    network: 'none',
    prompt: choices.prompt ?? DEFAULT_PROMPT,
    poweroff: choices.poweroff ?? DEFAULT_POWEROFF,
    // Only when the machine sets one, so other machines' files stay the same bytes.
    ...(qemu.bootTimeout !== undefined ? { bootTimeout: qemu.bootTimeout } : {}),
  };
}

/**
 * The text of a qemuboot.json file: the inverse of parseQemuBoot (the test
 * round-trips it). Fields equal to their default and absent ones are left
 * out, so a file says only what differs and stays the same bytes when a
 * field is added with a default.
 */
export function formatQemuBoot(boot: QemuBootRecord): string {
  const { disks, network, ...rest } = boot;
  const json = { version: QEMUBOOT_VERSION, ...rest, ...(disks.length ? { disks } : {}), ...(network !== 'none' ? { network } : {}) };
  return JSON.stringify(json, null, 2) + '\n';
}

import { basename } from 'node:path';
import type { DiskFile } from './disk-description.js';

// The files of a boot partition for U-Boot's standard boot: the kernel,
// the device trees, and extlinux/extlinux.conf, the syslinux-style file
// U-Boot's distro boot looks for on every bootable partition of every disk
// it scans (U-Boot doc/develop/distro.rst, boot/pxe_utils.c). The same
// file boots the board on arm64, riscv64 and x86 (booti, zboot).

export interface BootPartitionInput {
  /** The kernel image on the host, and its name on the partition (Image, bzImage). */
  readonly kernel: string;
  readonly kernelName: string;
  /** Device trees on the host; empty where the firmware passes its own (QEMU's virt boards). */
  readonly devicetrees: readonly string[];
  /** The kernel command line, root=PARTUUID=… included. */
  readonly append: string;
  /** The label's name in the menu. */
  readonly label: string;
}

/**
 * One label and `default` naming it: with no `prompt`, U-Boot boots it at
 * once, without a menu. Keywords are lower case, as pxe_utils parses them.
 */
export function extlinuxConf(b: Omit<BootPartitionInput, 'kernel' | 'devicetrees'> & { readonly fdt?: string }): string {
  const lines = [
    '# Written by Strata for U-Boot standard boot (doc/develop/distro.rst).',
    `default ${b.label}`,
    '',
    `label ${b.label}`,
    `    kernel /${b.kernelName}`,
    ...(b.fdt ? [`    fdt /${b.fdt}`] : []),
    `    append ${b.append}`,
  ];
  return lines.join('\n') + '\n';
}

export function bootPartitionFiles(b: BootPartitionInput): DiskFile[] {
  const dtbs = b.devicetrees.map((d) => ({ path: `/${basename(d)}`, source: d }));
  // The first device tree is the board's; the others are there for a user to pick in extlinux.conf.
  const conf = extlinuxConf({ ...b, fdt: dtbs[0] && basename(dtbs[0].source) });
  return [{ path: `/${b.kernelName}`, source: b.kernel }, ...dtbs, { path: '/extlinux/extlinux.conf', content: conf }];
}

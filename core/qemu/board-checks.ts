import type { ImageCheck } from './check.js';
import type { QemuBoot } from './qemuboot.js';

// Checks testimage runs on every image besides the image's own `checks:`,
// because they are about the board, not the image: the kernel runs on the
// machine's architecture, and an image booted from its disk through the
// firmware has its root file system on that disk, not in an initramfs
// (where /proc/mounts would show `rootfs` at /).

export function boardChecks(arch: string, boot: Pick<QemuBoot, 'firmware' | 'disks'>): ImageCheck[] {
  const checks: ImageCheck[] = [{ name: `architecture is ${arch}`, run: 'uname -m', match: `^${arch}$` }];
  if (boot.firmware && boot.disks.length > 0) {
    checks.push({
      name: 'root file system is mounted from the disk',
      // The kernel names the device it mounted itself /dev/root; the command line says which partition that was.
      run: "grep ' / ' /proc/mounts; cat /proc/cmdline",
      match: '^/dev/\\S+ / ext4 [\\s\\S]*root=PARTUUID=[0-9a-f-]+',
    });
  }
  return checks;
}

// A partitioned disk, described as data: its partition table, partitions
// with their file system and content, and raw files (bootloaders) written
// at byte offsets. The boards' machine files give one of these; YAML
// readers build it and keep the source locations, so a DiskIssue (which
// names the partition and the field) can be turned into a Diagnostic with
// file:line by the caller (see diskDiagnostics in disk-layout.ts).

/** Bytes, or text such as "64MiB", "512K", "1G" (binary units, as sfdisk reads them). */
export type Size = number | string;

export type FileSystemKind = 'vfat' | 'ext4' | 'squashfs' | 'none';

/** One file of a `files` partition (kernel, device trees, extlinux/extlinux.conf). */
export interface DiskFile {
  /** Absolute path inside the partition; missing parent folders are made (root, 0755). */
  readonly path: string;
  /** A host file with the bytes, or the bytes themselves. */
  readonly source?: string;
  readonly content?: Buffer | string;
  readonly mode?: number;
}

export type PartitionContent =
  /** The image's root file system (the tree the writer is given). */
  | { readonly kind: 'rootfs' }
  /** A small set of files, e.g. the boot partition. */
  | { readonly kind: 'files'; readonly files: readonly DiskFile[] }
  /** A host file copied as-is to the partition's first byte (fs must be `none`). */
  | { readonly kind: 'raw'; readonly file: string };

/**
 * One partition. `C` is what its content is: files and host paths for the
 * writer; in a machine file (core/config/machine-disk.ts), the same shape
 * with symbolic contents, since nothing is built yet.
 */
export interface PartitionDescription<C = PartitionContent> {
  /** GPT partition name, and the file system label; unique in the disk. */
  readonly label: string;
  /** A type alias (linux, esp, basic-data, swap, xbootldr, bios-boot, root-arm64, …), a GPT type GUID or an MBR type byte ("0x83"). */
  readonly type?: string;
  /** A size, or `fill` (last partition only: up to the end of a disk of given size). Default: what the content needs. */
  readonly size?: Size | 'fill';
  /** A fixed start; otherwise the next aligned byte after the previous partition. */
  readonly offset?: Size;
  /** GPT: the "legacy BIOS bootable" attribute (bit 2) U-Boot looks for; MBR: the active flag. */
  readonly bootable?: boolean;
  readonly fs: FileSystemKind;
  readonly content?: C;
}

/** A host file at a byte offset outside every partition and the partition table (e.g. U-Boot SPL). */
export interface RawWrite {
  readonly name: string;
  readonly file: string;
  readonly offset: Size;
}

export interface DiskDescription<C = PartitionContent> {
  readonly name?: string;
  readonly table: 'gpt' | 'mbr';
  /** Total size; required when a partition is `fill`. Default: what the partitions need. */
  readonly size?: Size;
  /** Where partitions start: a multiple of this (default 1 MiB, as fdisk and sgdisk do). */
  readonly align?: Size;
  readonly partitions: readonly PartitionDescription<C>[];
  readonly raw?: readonly RawWrite[];
}

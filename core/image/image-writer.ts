import type { DiskDescription } from './disk/disk-description.js';
import type { ImageEntry } from './image-tree.js';

// One interface for every image format; writers are registered as a plugin
// list in the composition root and chosen by the image's `types`. They take
// the rootfs manifest (or any ImageEntry list, see image-tree.ts) and never
// read owners, modes or times from the host's files.

export interface ImageWriteOptions {
  /**
   * Text that stands for the image's inputs (e.g. the image task's
   * signature). Ids inside the image (UUIDs, volume ids, GUIDs) derive from
   * it; without it they derive from a digest of the whole tree.
   */
  readonly seed?: string;
  /** File system label (ext4, vfat) or volume name. */
  readonly label?: string;
  /** Size of a file system image in bytes; by default what the tree needs plus room. */
  readonly sizeBytes?: number;
  /** Target architecture in OCI/Go words (arm64, amd64, riscv64, arm); OCI only. */
  readonly arch?: string;
  /** The partitioned disk to write; disk image type only. */
  readonly disk?: DiskDescription;
}

export interface ImageWriter {
  readonly type: string;
  /**
   * Names the bytes this writer makes for a given tree, where they are
   * Strata's own (not a host tool's, whose version the build records
   * name): part of the image task's inputs, so a writer that changes its
   * output is never answered with an image restored from the cache.
   */
  readonly format?: string;
  /** Writes the image to `out` atomically (temp file, then rename). */
  write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options?: ImageWriteOptions): Promise<void>;
}

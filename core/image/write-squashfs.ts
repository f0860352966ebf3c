import { writeAtomically } from './atomic-output.js';
import { imageTree, type ImageEntry } from './image-tree.js';
import type { ImageWriter } from './image-writer.js';
import { SQUASHFS_FORMAT } from './squashfs/format.js';
import { writeSquashfs } from './squashfs/squashfs-image.js';

// squashfs: written by Strata itself (squashfs/squashfs-image.ts), every
// owner, mode, time and device number from the tree, gzip level 9 and
// 128 KiB blocks as mksquashfs's defaults; `unsquashfs` and the kernel
// read it. Reproducible: the same tree gives the same bytes, the super
// block's time is SOURCE_DATE_EPOCH.

export class SquashfsWriter implements ImageWriter {
  readonly type = 'squashfs';
  readonly format = SQUASHFS_FORMAT;
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    await writeAtomically(out, (tmp) => writeSquashfs(tree, tmp, sourceDateEpoch));
  }
}

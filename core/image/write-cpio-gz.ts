import { constants } from 'node:zlib';
import { writeAtomically } from './atomic-output.js';
import { cpioNewc } from './cpio.js';
import { gzipFile } from './gzip-file.js';
import { imageTree, type ImageEntry } from './image-tree.js';
import type { ImageWriter } from './image-writer.js';

// cpio.gz: the initramfs image type. Node's gzip writes no file name and a
// zero timestamp in its header (gzip-file.ts), so the same archive always
// gives the same bytes (with the same Node.js, whose zlib is built in).

export class CpioGzWriter implements ImageWriter {
  readonly type = 'cpio.gz';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    await writeAtomically(out, (tmp) => gzipFile(tmp, constants.Z_BEST_COMPRESSION, (pool) => cpioNewc(tree.entries, { pool })));
  }
}

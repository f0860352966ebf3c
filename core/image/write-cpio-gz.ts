import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants } from 'node:zlib';
import { sortEntries, type ManifestEntry } from '../rootfs/manifest.js';
import { cpioNewc } from './cpio.js';
import type { ImageWriter } from './image-writer.js';

// cpio.gz: the initramfs image type. Node's gzip writes no file name and a
// zero timestamp in its header, so the same archive always gives the same
// bytes (with the same Node.js, whose zlib is built in).

export class CpioGzWriter implements ImageWriter {
  readonly type = 'cpio.gz';
  async write(entries: readonly ManifestEntry[], out: string, sourceDateEpoch: number): Promise<void> {
    const tmp = `${out}.part-${process.pid}`;
    try {
      await pipeline(Readable.from(cpioNewc(sortEntries(entries), sourceDateEpoch)), createGzip({ level: constants.Z_BEST_COMPRESSION }), createWriteStream(tmp));
      await rename(tmp, out);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

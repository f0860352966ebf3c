import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { ChunkPool } from './chunk-packer.js';

// gzip for the image writers (tar.gz, cpio.gz, an OCI layer): Node's zlib,
// which writes no file name and a zero time in the header (RFC 1952:
// MTIME = 0 means "no time stamp"), so the bytes depend only on the input,
// the level and the zlib built into Node. It compresses on libuv's thread
// pool, beside the main thread that makes the archive, as `tar | gzip`
// runs on two cores; Node 20's zlib (Chromium's) is also faster than
// gzip 1.12 at the same level (a quarter to a third less time for the
// bench's 50 MB tree, levels 6 and 9), so a `gzip -n` child would be slower.
//
// zlib's output comes in 256 KiB pieces, each a round trip to the main
// thread. Node's default of 16 KiB made 2,000 of them for the bench's
// 50 MB tree: 256 KiB took a tenth less CPU and time (tar.gz 0.91 of the
// tool's time against 1.02, cpio.gz 0.89 against 1.15, in turns at load
// 3-4). 1 MiB pieces, tried before, had taken less CPU still but more
// time on the loaded 2-core machine (tar.gz 4.2-7.1 s against 2.9-4.8 s):
// the compressor then runs in long stretches and gets no more than its
// share of a busy CPU. The deflate stream does not depend on the
// size of the pieces (same bytes either way). The stages after it (the
// output file, a hash) take a few MiB before they ask it to wait: with
// Node's default of 16 KiB, each piece could pause the compressor until
// the file system had written it. The input chunks go back to their pool
// (chunk-packer.ts) once zlib has taken them in: fewer collections.

/** Stream options for what follows gzip (see above). */
export const AFTER_GZIP = { highWaterMark: 4 << 20 } as const;

export const gzipStream = (level: number): Gzip => createGzip({ level, chunkSize: 256 << 10, ...AFTER_GZIP });

/**
 * Compresses the archive `make` yields (from chunks of the pool it is
 * given) into the file `path`; rejects with the archive's error, if any.
 */
export async function gzipFile(path: string, level: number, make: (pool: ChunkPool) => AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
  const pool = new ChunkPool();
  const gz = gzipStream(level);
  const done = pipeline(gz, createWriteStream(path, AFTER_GZIP));
  done.catch(() => {}); // awaited below: a failure while the archive is made must not count as unhandled
  try {
    for await (const chunk of make(pool)) {
      // zlib calls back once the whole chunk is in its window or compressed: the chunk may be filled again.
      if (!gz.write(chunk, () => pool.give(chunk))) await Promise.race([once(gz, 'drain'), done]);
    }
    gz.end();
  } catch (e) {
    gz.destroy(e as Error);
  }
  await done;
}

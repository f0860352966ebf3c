import { write } from 'node:fs';
import { promisify } from 'node:util';
import type { ChunkPool } from './chunk-packer.js';

// Chunks written into a file at increasing offsets while the next chunk is
// made: each write goes to libuv's thread pool, so the main thread reads
// the next files while another core copies the last chunk into the page
// cache (a FAT image's data area, fat-fill.ts). Made and written one after
// the other, reading and writing the same 50 MB took about as long each
// (bench/image.ts). One write is in flight at a time, so the chunks made
// are never more than two ahead of the file; each goes back to `pool` once
// written. On any failure (making a chunk, or writing one) the write in
// flight is waited for before the error is passed on, so the caller can
// close the file and remove it with nothing still writing into it.

const writeAt = promisify(write);

async function writeFully(fd: number, chunk: Buffer, position: number): Promise<void> {
  for (let done = 0; done < chunk.length;) {
    const { bytesWritten } = await writeAt(fd, chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

/** Writes `chunks` one after the other into the open file `fd` from `position`; resolves once all are written. */
export async function writeBehind(fd: number, chunks: Iterable<Buffer>, position: number, pool: ChunkPool): Promise<void> {
  let inFlight = Promise.resolve();
  try {
    for (const chunk of chunks) {
      await inFlight;
      inFlight = writeFully(fd, chunk, position).then(() => pool.give(chunk));
      position += chunk.length;
    }
    await inFlight;
  } catch (e) {
    await inFlight.catch(() => {});
    throw e;
  }
}

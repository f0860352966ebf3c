import { writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

// The data area of a squashfs image: each file's full blocks, then blocks of
// packed file tails (fragments), each block deflated on Node's thread pool
// while the next ones are read, and written to the image in the order they
// were queued, so the same tree gives the same bytes. A block that does not
// shrink is stored as it is, with the "uncompressed" bit in its size word
// (fs/squashfs/squashfs_fs.h: SQUASHFS_COMPRESSED_BIT_BLOCK).

const deflateAsync = promisify(deflate);
export const UNCOMPRESSED_BLOCK = 1 << 24;
/** Blocks being compressed at once: enough to keep the thread pool busy, a few MiB of memory. */
const IN_FLIGHT = 16;
/** zlib hands its output back in pieces of this size: one piece for a block, not a callback per 16 KiB (the default). */
const OUTPUT_CHUNK = 1 << 18;

interface Queued {
  readonly packed: Promise<Buffer>;
  readonly raw: Buffer;
  readonly written: (start: number, sizeWord: number) => void;
}

export class DataWriter {
  private readonly queue: Queued[] = [];

  /** `position`: where the data area starts in the image (after the super block). */
  constructor(
    private readonly fd: number,
    private position: number,
    private readonly level: number,
  ) {}

  /** Where the next block will be written, once everything queued before it is. */
  get end(): number {
    return this.position;
  }

  /** Queues a block; `written` gets its offset in the image and its size word. */
  async add(raw: Buffer, written: (start: number, sizeWord: number) => void): Promise<void> {
    this.queue.push({ packed: deflateAsync(raw, { level: this.level, chunkSize: OUTPUT_CHUNK }), raw, written });
    if (this.queue.length >= IN_FLIGHT) await this.writeOldest();
  }

  /** Writes everything still queued; returns the end of the data area. */
  async finish(): Promise<number> {
    while (this.queue.length) await this.writeOldest();
    return this.position;
  }

  private async writeOldest(): Promise<void> {
    const { packed, raw, written } = this.queue.shift()!;
    const p = await packed;
    const keep = p.length < raw.length;
    const bytes = keep ? p : raw;
    writeSync(this.fd, bytes, 0, bytes.length, this.position);
    written(this.position, keep ? p.length : raw.length | UNCOMPRESSED_BLOCK);
    this.position += bytes.length;
  }
}

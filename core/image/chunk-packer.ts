import { SourceFile } from './source-file.js';

// An archive stream (tar, cpio) packed into 1 MiB chunks as it is made:
// headers are written in place and file bytes are read (synchronously,
// straight from the file) into the chunk itself, so a file costs open,
// read and close and nothing is copied twice. A stream of small pieces
// (a header, a buffer per file, padding) made a tree of thousands of small
// files cost several times what tar(1) needs for it: allocations, copies
// and garbage collection (bench/image.ts).
//
// The chunks come from a pool and go back to it once the consumer is done
// with them, so the same few are filled again and again: a new 1 MiB
// buffer per chunk made V8 run full collections for their external memory,
// several per image of 50 MB (bench/image.ts). A consumer that is done with
// each chunk when it asks for the next one (blocking writes into a tool's
// pipe, core/exec/stdin-feed.ts) says `reuse`; one that holds on to a few
// (zlib, gzip-file.ts) gives each back to the pool itself.

export const CHUNK = 1 << 20;

/** Chunks of CHUNK bytes, given back to be filled again. */
export class ChunkPool {
  private readonly spare: Buffer[] = [];
  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(CHUNK);
  }
  /** `chunk` may be filled again; a shorter piece (an archive's last) is left to the collector. */
  give(chunk: Buffer): void {
    if (chunk.length === CHUNK) this.spare.push(chunk);
  }
}

export interface PackerOptions {
  /** Where chunks come from (default: a pool of the packer's own). */
  readonly pool?: ChunkPool;
  /** The caller is done with each chunk when it asks for the next one: it goes back to the pool then. */
  readonly reuse?: boolean;
}

export class ChunkPacker {
  private readonly pool: ChunkPool;
  private readonly reuse: boolean;
  private chunk: Buffer;
  private used = 0;
  private readonly filled: Buffer[] = [];

  constructor({ pool = new ChunkPool(), reuse = false }: PackerOptions = {}) {
    this.pool = pool;
    this.reuse = reuse;
    this.chunk = pool.take();
  }

  /** Room left in the current chunk, starting a new one when it is full. */
  private room(): number {
    if (this.used === CHUNK) {
      this.filled.push(this.chunk);
      this.chunk = this.pool.take();
      this.used = 0;
    }
    return CHUNK - this.used;
  }
  /** `length` bytes written by `fill` in place when they fit in the current chunk, else through a buffer of their own. */
  write(length: number, fill: (buf: Buffer, offset: number) => void): void {
    if (this.room() >= length) {
      fill(this.chunk, this.used);
      this.used += length;
      return;
    }
    const b = Buffer.alloc(length);
    fill(b, 0);
    this.put(b);
  }

  put(b: Buffer): void {
    for (let off = 0; off < b.length;) {
      const n = Math.min(this.room(), b.length - off);
      b.copy(this.chunk, this.used, off, off + n);
      this.used += n;
      off += n;
    }
  }

  zeros(count: number): void {
    for (let left = count; left > 0;) {
      const n = Math.min(this.room(), left);
      this.chunk.fill(0, this.used, this.used + n);
      this.used += n;
      left -= n;
    }
  }

  /**
   * Copies the file `source` (of `size` bytes, as the tree says) into the
   * stream, piece by piece, handing on each chunk as it fills: a large
   * file is never held whole. A file that is shorter or longer than `size`
   * is an error naming it and `forPath`, the archive member it is for
   * (source-file.ts).
   */
  *copyFile(source: string, size: number, forPath: string): Generator<Buffer> {
    const f = new SourceFile(source, size, `${source} (for ${forPath})`);
    try {
      while (f.remaining > 0) {
        const room = this.room(); // room first: it may start a new chunk
        this.used += f.readInto(this.chunk, this.used, room);
        if (this.ready) yield* this.handOut();
      }
      f.end();
    } finally {
      f.close();
    }
  }

  /** Whether a full chunk is waiting to be handed on. */
  get ready(): boolean {
    return this.filled.length > 0;
  }

  /** Hands on the full chunks (with `end`, the last, partly filled one too). */
  *handOut(end = false): Generator<Buffer> {
    const out = this.filled.splice(0);
    if (end && this.used) out.push(this.chunk.subarray(0, this.used));
    yield* out;
    if (this.reuse) out.forEach((c) => this.pool.give(c));
  }
}

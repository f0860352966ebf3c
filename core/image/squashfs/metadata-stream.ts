import { deflateSync } from 'node:zlib';

// squashfs's metadata (inode, directory, fragment and id tables) is a run of
// blocks of at most 8 KiB before compression, each stored behind a 2-byte
// length whose top bit says "stored uncompressed" (Linux's
// Documentation/filesystems/squashfs.rst, fs/squashfs/squashfs_fs.h). An
// inode or a directory listing is found by a reference: the stored block's
// offset from the table's start, and the offset inside its uncompressed
// bytes. Blocks are compressed as they fill, so a reference is known as
// soon as its bytes are added.

export const METADATA_SIZE = 8192;
const UNCOMPRESSED = 0x8000;

export interface MetadataRef {
  /** The stored block's offset from the start of the table. */
  readonly block: number;
  /** The offset inside that block's uncompressed bytes. */
  readonly offset: number;
}

export class MetadataStream {
  private readonly stored: Buffer[] = [];
  private storedBytes = 0;
  private pending = Buffer.alloc(METADATA_SIZE);
  private used = 0;

  constructor(private readonly level: number) {}

  /** Where the next bytes added will be. */
  get position(): MetadataRef {
    return { block: this.storedBytes, offset: this.used };
  }

  add(bytes: Buffer): MetadataRef {
    const at = this.position;
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, METADATA_SIZE - this.used);
      bytes.copy(this.pending, this.used, from, from + n);
      this.used += n;
      from += n;
      if (this.used === METADATA_SIZE) this.flush();
    }
    return at;
  }

  /** Stores what is pending (the last block may be short) and returns the table's bytes. */
  finish(): Buffer {
    if (this.used > 0) this.flush();
    return Buffer.concat(this.stored, this.storedBytes);
  }

  /** Offsets, from the table's start, of each stored block (the fragment and id tables' indexes). */
  get blockStarts(): number[] {
    const starts: number[] = [];
    let at = 0;
    for (const b of this.stored) {
      starts.push(at);
      at += b.length;
    }
    return starts;
  }

  private flush(): void {
    const raw = this.pending.subarray(0, this.used);
    const packed = deflateSync(raw, { level: this.level });
    const header = Buffer.alloc(2);
    const keep = packed.length < raw.length;
    header.writeUInt16LE(keep ? packed.length : raw.length | UNCOMPRESSED);
    const block = Buffer.concat([header, keep ? packed : Buffer.from(raw)]);
    this.stored.push(block);
    this.storedBytes += block.length;
    this.pending = Buffer.alloc(METADATA_SIZE);
    this.used = 0;
  }
}

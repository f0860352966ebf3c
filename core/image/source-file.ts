import { closeSync, openSync, readSync } from 'node:fs';

// A tree file's bytes, read piece by piece into the writer's own buffers
// (a tar or cpio chunk, a FAT image's clusters), checked against the size
// the tree gives: a file that is shorter or longer (it changed after the
// manifest was made) is an error naming it, never a silently cut or padded
// member. The last piece asks for one byte more than is left, when the
// buffer has room for it: a read that returns only what was left has
// reached the end (a regular file's read is short only there), so most
// files cost open, one read and close, where a separate one-byte read to
// find the end was a fourth system call per file (bench/image.ts). No
// fstat either: its Stats object per file cost more.

const ONE = Buffer.alloc(1);

export class SourceFile {
  private fd: number;
  private left: number;
  private endSeen = false;

  /** Opens `source`, which should hold `size` bytes; `what` names it in errors. */
  constructor(
    source: string,
    size: number,
    private readonly what: string,
  ) {
    this.fd = openSync(source, 'r');
    this.left = size;
  }

  /** Bytes still to read. */
  get remaining(): number {
    return this.left;
  }

  /** Reads the next bytes into `buf` at `offset`, at most `room` of them (room >= 1); returns how many. */
  readInto(buf: Buffer, offset: number, room: number): number {
    const probe = room > this.left;
    const n = readSync(this.fd, buf, offset, probe ? this.left + 1 : Math.min(room, this.left), null);
    if (n === 0 || n > this.left) throw this.changed();
    if (probe && n === this.left) this.endSeen = true;
    this.left -= n;
    return n;
  }

  /** After the last piece: the file must end there. Closes it. */
  end(): void {
    try {
      if (!this.endSeen && readSync(this.fd, ONE, 0, 1, null) !== 0) throw this.changed();
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private changed(): Error {
    return new Error(`${this.what} changed size while it was read`);
  }
}

// Reads exact byte counts from a stream of chunks (a tar stream, the output
// of `git cat-file --batch`) without copying the bytes it only skips, so a
// reader can walk a multi-gigabyte archive at the speed of decompression.

export class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Pulls chunks until `n` bytes are buffered; false when the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else if (r.value.length) {
        this.chunks.push(r.value);
        this.have += r.value.length;
      }
    }
    return this.have >= n;
  }

  /** Exactly `n` bytes, or undefined when the stream ends before them. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    return this.take(n);
  }

  /** Bytes up to (not including) `delim`, consuming the delimiter too. */
  async readUntil(delim: number): Promise<Buffer | undefined> {
    for (;;) {
      let offset = 0;
      for (const c of this.chunks) {
        const i = c.indexOf(delim);
        if (i >= 0) {
          const line = this.take(offset + i);
          this.take(1);
          return line;
        }
        offset += c.length;
      }
      if (!(await this.fill(this.have + 1))) return undefined;
    }
  }

  /** Drops `n` bytes; false when the stream ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.have === 0 && !(await this.fill(1))) return false;
      const first = this.chunks[0];
      if (first.length <= n) {
        this.chunks.shift();
        this.have -= first.length;
        n -= first.length;
      } else {
        this.chunks[0] = first.subarray(n);
        this.have -= n;
        n = 0;
      }
    }
    return true;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.have -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.have -= n;
    return out;
  }
}

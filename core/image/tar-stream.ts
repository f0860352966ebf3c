import { closeSync, openSync, readSync } from 'node:fs';
import { BLOCK, tarEnd, tarHeader, type TarMember } from '../archive/tar-writer.js';
import { fileSize, inlineBytes, type ImageTree, type TreeEntry } from './image-tree.js';

// A tree as a pax tar stream, through our own tar writer
// (core/archive/tar-writer.ts), so the archive depends only on the tree.
// Member names are "./", "./etc/", "./etc/motd", as `tar -C rootfs -cf - .`
// writes them, so `tar -xf image.tar.gz -C /mnt` restores a root in place.

const MAX_USTAR_ID = 0o7777777;

export const tarName = (e: TreeEntry): string => (e.path === '/' ? './' : `.${e.path}${e.type === 'dir' ? '/' : ''}`);

/** The member a tree entry becomes; files carry their size. */
export function tarMember(e: TreeEntry, size = 0): TarMember {
  // ustar's id fields hold 7 octal digits; larger ids go in pax records (POSIX pax "uid", "gid").
  // One object literal per type, no spreads: a header per file (bench/image.ts).
  const big = e.uid > MAX_USTAR_ID || e.gid > MAX_USTAR_ID;
  const pax = big ? paxIds(e) : undefined;
  const path = tarName(e);
  const uid = Math.min(e.uid, MAX_USTAR_ID);
  const gid = Math.min(e.gid, MAX_USTAR_ID);
  const { mode, mtime } = e;
  switch (e.type) {
    case 'file':
      return { path, type: 'file', mode, mtime, uid, gid, pax, size };
    case 'symlink':
      return { path, type: 'symlink', mode, mtime, uid, gid, pax, linkname: e.target };
    case 'chardev':
    case 'blockdev':
      return { path, type: e.type, mode, mtime, uid, gid, pax, devmajor: e.major, devminor: e.minor };
    default:
      return { path, type: e.type, mode, mtime, uid, gid, pax };
  }
}

function paxIds(e: TreeEntry): Record<string, string> {
  const pax: Record<string, string> = {};
  if (e.uid > MAX_USTAR_ID) pax.uid = String(e.uid);
  if (e.gid > MAX_USTAR_ID) pax.gid = String(e.gid);
  return pax;
}

// The archive is packed into 1 MiB chunks as it is made: headers are copied
// in and file bytes are read (synchronously, straight from the file) into
// the chunk itself, so a file costs open, fstat, read and close and nothing
// is copied twice. A stream of small pieces (a header, a buffer per file,
// padding) made a tree of thousands of small files cost several times what
// tar(1) needs for it: allocations, copies and garbage collection
// (bench/image.ts). With `reuse`, a caller that is done with each chunk
// before it asks for the next (blocking writes into a pipe) gets the same
// two or three chunks over and over: a new 1 MiB buffer per chunk made
// V8 run full collections for their external memory, two or three per
// image of 50 MB.
const CHUNK = 1 << 20;
/** For the read that finds a file's end. */
const ONE = Buffer.alloc(1);

class Packer {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  readonly full: Buffer[] = [];
  private readonly spare: Buffer[] = [];

  /** Room left in the current chunk, starting a new one when it is full. */
  private room(): number {
    if (this.used === CHUNK) {
      this.full.push(this.chunk);
      this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK);
      this.used = 0;
    }
    return CHUNK - this.used;
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

  /** Reads what fits of the next `left` bytes of the open file `fd` into the current chunk; returns how many. */
  read(fd: number, left: number, what: string): number {
    const want = Math.min(this.room(), left); // first: it may start a new chunk
    const n = readSync(fd, this.chunk, this.used, want, null);
    if (n === 0) throw new Error(`${what} changed size while it was read`);
    this.used += n;
    return n;
  }

  /** The chunks filled so far, and with `end`, the last one too. */
  take(end = false): Buffer[] {
    const out = this.full.splice(0);
    if (end && this.used) out.push(this.chunk.subarray(0, this.used));
    return out;
  }

  /** Hands out the full chunks; with `reuse`, they are filled again once the caller asks for more. */
  *handOut(reuse: boolean): Generator<Buffer> {
    const out = this.take();
    yield* out;
    if (reuse) this.spare.push(...out);
  }
}

export interface TarStreamOptions {
  /** false leaves out the "./" member, for readers that reject it. */
  readonly withRoot?: boolean;
  /** The caller is done with each chunk when it asks for the next one (it wrote it out): chunks are reused. */
  readonly reuse?: boolean;
}

export async function* tarStream(tree: ImageTree, { withRoot = true, reuse = false }: TarStreamOptions = {}): AsyncGenerator<Buffer> {
  const p = new Packer();
  for (const e of tree.entries) {
    if (e.path === '/' && !withRoot) continue;
    if (e.type !== 'file') p.put(tarHeader(tarMember(e)));
    else {
      const inline = inlineBytes(e);
      const size = fileSize(e);
      p.put(tarHeader(tarMember(e, size)));
      if (inline) p.put(inline);
      else {
        const fd = openSync(e.source!, 'r');
        try {
          // Chunk by chunk, handed on as they fill: a large file is never held whole.
          for (let left = size; left > 0;) {
            left -= p.read(fd, left, `${e.source} (for ${e.path})`);
            if (p.full.length) yield* p.handOut(reuse);
          }
          // A short file ends a read early (Packer.read); a longer one has a byte more. No fstat: its Stats object per file cost more.
          if (readSync(fd, ONE, 0, 1, null) !== 0) throw new Error(`${e.source} changed size while it was read for ${e.path}`);
        } finally {
          closeSync(fd);
        }
      }
      p.zeros((BLOCK - (size % BLOCK)) % BLOCK);
    }
    if (p.full.length) yield* p.handOut(reuse);
  }
  p.put(tarEnd());
  yield* p.take(true);
}

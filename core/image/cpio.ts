import { ChunkPacker, type PackerOptions } from './chunk-packer.js';
import { fileSize, inlineBytes, type TreeEntry } from './image-tree.js';

// A "newc" cpio archive (the format the Linux kernel unpacks as initramfs;
// see the kernel's Documentation/driver-api/early-userspace/buffer-format.rst).
// Deterministic by construction: members sorted by path, inode numbers
// counted from 1, times clamped to SOURCE_DATE_EPOCH, owners from the tree.
// Packed as tar-stream.ts packs tar: headers written in place, file bytes
// read straight into the chunks (chunk-packer.ts); a buffer per file and
// per header made GC cost more than the reading (bench/image.ts).

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

const TYPE_BITS = { dir: S_IFDIR, file: S_IFREG, symlink: S_IFLNK, chardev: S_IFCHR, blockdev: S_IFBLK, fifo: S_IFIFO } as const;
const HEADER = 110;
const MAGIC = Buffer.from('070701', 'latin1');
/** The bytes of lowercase hex digits, as newc writes them (toString(16)). */
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

interface Fields {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  rmajor: number;
  rminor: number;
  name: Buffer;
}

/** The header, its name, NUL and padding to 4 bytes, at `o` of `b` (`headerLength` bytes). */
function writeHeader(b: Buffer, o: number, f: Fields): void {
  const fields = [f.ino, f.mode, f.uid, f.gid, f.nlink, f.mtime, f.size, 0, 0, f.rmajor, f.rminor, f.name.length + 1, 0];
  MAGIC.copy(b, o);
  // Eight hex digits a field, written a byte at a time, no string per field: a native call per field cost more than the field.
  for (let i = 0; i < fields.length; i++) {
    let v = fields[i] >>> 0;
    for (let at = o + 6 + i * 8 + 7; at >= o + 6 + i * 8; at--, v >>>= 4) b[at] = HEX[v & 15];
  }
  f.name.copy(b, o + HEADER);
  b.fill(0, o + HEADER + f.name.length, o + headerLength(f.name));
}

const headerLength = (name: Buffer): number => HEADER + name.length + 1 + pad4(HEADER + name.length + 1);

/** Yields the archive in chunks (chunk-packer.ts), so large images never sit in memory twice; synchronous, as tarStream (tar-stream.ts). */
export function* cpioNewc(entries: readonly TreeEntry[], pack?: PackerOptions): Generator<Buffer> {
  const p = new ChunkPacker(pack);
  const header = (f: Fields) => p.write(headerLength(f.name), (b, o) => writeHeader(b, o, f));
  let ino = 1;
  for (const e of entries) {
    const name = Buffer.from(e.path === '/' ? '.' : e.path.slice(1));
    const inline = e.type === 'file' ? inlineBytes(e) : e.type === 'symlink' ? Buffer.from(e.target!) : undefined;
    const size = inline ? inline.length : e.type === 'file' ? fileSize(e) : 0;
    const mode = TYPE_BITS[e.type] | (e.mode & 0o7777);
    header({
      ino: ino++,
      mode,
      uid: e.uid,
      gid: e.gid,
      nlink: e.type === 'dir' ? 2 : 1,
      mtime: e.mtime,
      size,
      rmajor: e.major ?? 0,
      rminor: e.minor ?? 0,
      name,
    });
    if (inline) p.put(inline);
    else if (e.type === 'file') yield* p.copyFile(e.source!, size, e.path);
    p.zeros(pad4(size));
    if (p.ready) yield* p.handOut();
  }
  header({ ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0, rmajor: 0, rminor: 0, name: Buffer.from('TRAILER!!!') });
  yield* p.handOut(true);
}

import { readFileSync } from 'node:fs';
import { inlineBytes, type TreeEntry } from './image-tree.js';

// A "newc" cpio archive (the format the Linux kernel unpacks as initramfs;
// see the kernel's Documentation/driver-api/early-userspace/buffer-format.rst).
// Deterministic by construction: members sorted by path, inode numbers
// counted from 1, times clamped to SOURCE_DATE_EPOCH, owners from the tree.

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

const TYPE_BITS = { dir: S_IFDIR, file: S_IFREG, symlink: S_IFLNK, chardev: S_IFCHR, blockdev: S_IFBLK, fifo: S_IFIFO } as const;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function header(fields: {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  rmajor: number;
  rminor: number;
  name: string;
}): Buffer {
  const nameBytes = Buffer.from(fields.name + '\0');
  const text =
    '070701' +
    [fields.ino, fields.mode, fields.uid, fields.gid, fields.nlink, fields.mtime, fields.size, 0, 0, fields.rmajor, fields.rminor, nameBytes.length, 0]
      .map(hex8)
      .join('');
  const head = Buffer.concat([Buffer.from(text, 'ascii'), nameBytes]);
  return Buffer.concat([head, pad4(head.length)]);
}

/** Yields the archive in pieces, so large images never sit in memory twice. */
export function* cpioNewc(entries: readonly TreeEntry[]): Generator<Buffer> {
  let ino = 1;
  for (const e of entries) {
    const name = e.path === '/' ? '.' : e.path.replace(/^\//, '');
    // One read of the file's size (readFileSync): a fresh zero-filled 1 MiB
    // buffer per file cost more than the reading on a tree of small files.
    const data = e.type === 'file' ? (inlineBytes(e) ?? readFileSync(e.source!)) : e.type === 'symlink' ? Buffer.from(e.target!) : Buffer.alloc(0);
    yield header({
      ino: ino++,
      mode: TYPE_BITS[e.type] | (e.mode & 0o7777),
      uid: e.uid,
      gid: e.gid,
      nlink: e.type === 'dir' ? 2 : 1,
      mtime: e.mtime,
      size: data.length,
      rmajor: e.major ?? 0,
      rminor: e.minor ?? 0,
      name,
    });
    if (data.length) {
      yield data;
      yield pad4(data.length);
    }
  }
  yield header({ ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0, rmajor: 0, rminor: 0, name: 'TRAILER!!!' });
}

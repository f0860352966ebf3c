import { fileSize, type TreeEntry } from '../image-tree.js';
import type { MetadataRef } from './metadata-stream.js';

// squashfs inodes and directory listings as bytes (fs/squashfs/squashfs_fs.h):
// the common 16-byte header (type, mode, uid and gid as indexes into the id
// table, time, number), then each type's own fields; a basic inode where the
// sizes fit, an extended one where they do not.

const NONE = 0xffffffff;
/** Basic inode types, as directory entries name them; extended ones are these plus 7. */
const TYPE = { dir: 1, file: 2, symlink: 3, blockdev: 4, chardev: 5, fifo: 6 } as const;
const EXTENDED = 7;

export interface FileData {
  start: number;
  readonly sizes: number[];
  fragment: number;
  fragmentOffset: number;
}

export interface Node {
  readonly entry: TreeEntry;
  readonly name: Buffer;
  readonly children: Node[];
  number: number;
  ref?: MetadataRef;
  data?: FileData;
}

/** Linux's new_encode_dev: what a squashfs device inode stores. */
const encodeDevice = (major: number, minor: number): number => ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;

/** The super block counts the ids in 16 bits (and inodes index them in 16). */
export const MAX_IDS = 0xffff;

/** Index of each uid and gid in the id table, in order of first use. */
export class IdTable {
  readonly ids: number[] = [];
  private readonly index = new Map<number, number>();
  of(id: number, path: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      if (this.ids.length === MAX_IDS)
        throw new Error(
          `image entry '${path}': squashfs holds at most ${MAX_IDS} distinct owners and groups (uids and gids together), and this one is one more`,
        );
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }
}

export function inodeBytes(node: Node, ids: IdTable, listing?: { ref: MetadataRef; size: number; parent: number; subdirs: number }): Buffer {
  const e = node.entry;
  const head = (type: number, rest: number): Buffer => {
    const b = Buffer.alloc(16 + rest);
    b.writeUInt16LE(type, 0);
    b.writeUInt16LE(e.mode & 0o7777, 2);
    b.writeUInt16LE(ids.of(e.uid, e.path), 4);
    b.writeUInt16LE(ids.of(e.gid, e.path), 6);
    b.writeUInt32LE(e.mtime >>> 0, 8);
    b.writeUInt32LE(node.number, 12);
    return b;
  };
  switch (e.type) {
    case 'dir': {
      const { ref, size, parent, subdirs } = listing!;
      const fileSize = size + 3;
      if (fileSize <= 0xffff) {
        const b = head(TYPE.dir, 16);
        b.writeUInt32LE(ref.block, 16);
        b.writeUInt32LE(2 + subdirs, 20);
        b.writeUInt16LE(fileSize, 24);
        b.writeUInt16LE(ref.offset, 26);
        b.writeUInt32LE(parent, 28);
        return b;
      }
      const b = head(TYPE.dir + EXTENDED, 24);
      b.writeUInt32LE(2 + subdirs, 16);
      b.writeUInt32LE(fileSize, 20);
      b.writeUInt32LE(ref.block, 24);
      b.writeUInt32LE(parent, 28);
      b.writeUInt16LE(0, 32); // no directory index: the kernel then reads the listing from its start
      b.writeUInt16LE(ref.offset, 34);
      b.writeUInt32LE(NONE, 36);
      return b;
    }
    case 'file': {
      const d = node.data!;
      const size = fileSize(e);
      if (size < 2 ** 32 && d.start < 2 ** 32) {
        const b = head(TYPE.file, 16 + 4 * d.sizes.length);
        b.writeUInt32LE(d.sizes.length ? d.start : 0, 16);
        b.writeUInt32LE(d.fragment, 20);
        b.writeUInt32LE(d.fragmentOffset, 24);
        b.writeUInt32LE(size, 28);
        d.sizes.forEach((s, i) => b.writeUInt32LE(s, 32 + 4 * i));
        return b;
      }
      const b = head(TYPE.file + EXTENDED, 40 + 4 * d.sizes.length);
      b.writeBigUInt64LE(BigInt(d.start), 16);
      b.writeBigUInt64LE(BigInt(size), 24);
      b.writeBigUInt64LE(0n, 32);
      b.writeUInt32LE(1, 40);
      b.writeUInt32LE(d.fragment, 44);
      b.writeUInt32LE(d.fragmentOffset, 48);
      b.writeUInt32LE(NONE, 52);
      d.sizes.forEach((s, i) => b.writeUInt32LE(s, 56 + 4 * i));
      return b;
    }
    case 'symlink': {
      const target = Buffer.from(e.target!);
      const b = head(TYPE.symlink, 8 + target.length);
      b.writeUInt32LE(1, 16);
      b.writeUInt32LE(target.length, 20);
      target.copy(b, 24);
      return b;
    }
    case 'chardev':
    case 'blockdev': {
      const b = head(TYPE[e.type], 8);
      b.writeUInt32LE(1, 16);
      b.writeUInt32LE(encodeDevice(e.major!, e.minor!), 20);
      return b;
    }
    case 'fifo': {
      const b = head(TYPE.fifo, 4);
      b.writeUInt32LE(1, 16);
      return b;
    }
  }
}

/**
 * A directory's listing: runs of entries behind a header naming the inode
 * table block they are in and a base inode number; a new run starts where
 * the block changes, after 256 entries, or where a number is too far from
 * the base for the entry's 16-bit difference.
 */
export function listingBytes(dir: Node): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < dir.children.length) {
    const first = dir.children[i];
    let j = i;
    while (
      j < dir.children.length &&
      j - i < 256 &&
      dir.children[j].ref!.block === first.ref!.block &&
      Math.abs(dir.children[j].number - first.number) <= 32767
    )
      j++;
    const header = Buffer.alloc(12);
    header.writeUInt32LE(j - i - 1, 0);
    header.writeUInt32LE(first.ref!.block, 4);
    header.writeUInt32LE(first.number, 8);
    parts.push(header);
    for (const child of dir.children.slice(i, j)) {
      const entry = Buffer.alloc(8 + child.name.length);
      entry.writeUInt16LE(child.ref!.offset, 0);
      entry.writeInt16LE(child.number - first.number, 2);
      entry.writeUInt16LE(TYPE[child.entry.type], 4);
      entry.writeUInt16LE(child.name.length - 1, 6);
      child.name.copy(entry, 8);
      parts.push(entry);
    }
    i = j;
  }
  return Buffer.concat(parts);
}

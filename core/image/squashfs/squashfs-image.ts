import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { baseName, fileSize, inlineBytes, parentOf, type ImageTree, type TreeEntry } from '../image-tree.js';
import { SourceFile } from '../source-file.js';
import { DataWriter } from './data-writer.js';
import { MetadataStream, type MetadataRef } from './metadata-stream.js';

// A squashfs 4.0 image written by Strata itself from an image tree (the
// layout: Linux's Documentation/filesystems/squashfs.rst and
// fs/squashfs/squashfs_fs.h). Every stored file is read once; data blocks
// are deflated on the thread pool (data-writer.ts). gzip (zlib) at level 9
// and 128 KiB blocks, as mksquashfs's defaults; file tails packed into
// fragments; identical contents stored once (by the manifest's sha256); no
// xattrs, no NFS export table. Owners, modes, times and device numbers come
// from the tree, never from the host. The same tree gives the same bytes.

const MAGIC = 0x73717368;
const BLOCK_SIZE = 1 << 17;
const BLOCK_LOG = 17;
const ZLIB = 1;
const LEVEL = 9;
const SUPER_BLOCK_BYTES = 96;
const NONE = 0xffffffff;
const NO_TABLE = 0xffffffffffffffffn;
// Super block flags: duplicates checked, no xattrs (squashfs_fs.h: SQUASHFS_DUPLICATE, SQUASHFS_NO_XATTR).
const FLAGS = (1 << 6) | (1 << 9);
const PAD_TO = 4096;

/** Basic inode types, as directory entries name them; extended ones are these plus 7. */
const TYPE = { dir: 1, file: 2, symlink: 3, blockdev: 4, chardev: 5, fifo: 6 } as const;
const EXTENDED = 7;

interface FileData {
  start: number;
  readonly sizes: number[];
  fragment: number;
  fragmentOffset: number;
}

interface Node {
  readonly entry: TreeEntry;
  readonly name: Buffer;
  readonly children: Node[];
  number: number;
  ref?: MetadataRef;
  data?: FileData;
}

/** Linux's new_encode_dev: what a squashfs device inode stores. */
const encodeDevice = (major: number, minor: number): number => ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;

function buildTree(tree: ImageTree): Node {
  const byPath = new Map<string, Node>();
  for (const entry of tree.entries) {
    const node: Node = { entry, name: Buffer.from(entry.path === '/' ? '' : baseName(entry.path)), children: [], number: 0 };
    byPath.set(entry.path, node);
    if (entry.path !== '/') byPath.get(parentOf(entry.path))!.children.push(node);
  }
  for (const node of byPath.values()) node.children.sort((a, b) => Buffer.compare(a.name, b.name));
  return byPath.get('/')!;
}

/** Inode numbers in the order inodes are written: each directory after its children, the root last. */
function numberInodes(root: Node): number {
  let next = 1;
  const visit = (dir: Node): void => {
    for (const child of dir.children) {
      if (child.entry.type === 'dir') visit(child);
      else child.number = next++;
    }
    dir.number = next++;
  };
  visit(root);
  return next - 1;
}

/** Reads and queues every file's blocks and tail; equal contents (same sha256 and size) share one copy. */
async function writeData(root: Node, data: DataWriter): Promise<{ fragments: { start: number; sizeWord: number }[] }> {
  const fragments: { start: number; sizeWord: number }[] = [];
  let tails = Buffer.alloc(BLOCK_SIZE);
  let tailsUsed = 0;
  const flushTails = async (): Promise<void> => {
    if (tailsUsed === 0) return;
    const index = fragments.length;
    fragments.push({ start: 0, sizeWord: 0 });
    await data.add(tails.subarray(0, tailsUsed), (start, sizeWord) => (fragments[index] = { start, sizeWord }));
    tails = Buffer.alloc(BLOCK_SIZE);
    tailsUsed = 0;
  };
  const seen = new Map<string, FileData>();
  const files: Node[] = [];
  const collect = (dir: Node): void => {
    for (const child of dir.children) {
      if (child.entry.type === 'dir') collect(child);
      else if (child.entry.type === 'file') files.push(child);
    }
  };
  collect(root);
  for (const node of files) {
    const e = node.entry;
    const key = e.sha256 && e.size !== undefined ? `${e.sha256}:${e.size}` : undefined;
    const same = key && seen.get(key);
    if (same) {
      node.data = same;
      continue;
    }
    const file: FileData = { start: 0, sizes: [], fragment: NONE, fragmentOffset: 0 };
    node.data = file;
    if (key) seen.set(key, file);
    const bytes = inlineBytes(e);
    const length = fileSize(e);
    const source = bytes ? undefined : new SourceFile(e.source!, length, `image file '${e.path}' (${e.source})`);
    file.start = data.end;
    try {
      let done = 0;
      const full = Math.floor(length / BLOCK_SIZE);
      for (let b = 0; b < full; b++) {
        const block = bytes ? bytes.subarray(done, done + BLOCK_SIZE) : readBlock(source!, BLOCK_SIZE);
        const index = b;
        file.sizes.push(0);
        await data.add(block, (start, sizeWord) => {
          if (index === 0) file.start = start;
          file.sizes[index] = sizeWord;
        });
        done += BLOCK_SIZE;
      }
      const tail = length - done;
      if (tail > 0) {
        if (tailsUsed + tail > BLOCK_SIZE) await flushTails();
        if (bytes) bytes.copy(tails, tailsUsed, done, length);
        else readInto(source!, tails, tailsUsed, tail);
        file.fragment = fragments.length;
        file.fragmentOffset = tailsUsed;
        tailsUsed += tail;
      }
      source?.end();
    } finally {
      source?.close();
    }
  }
  await flushTails();
  return { fragments };
}

function readBlock(source: SourceFile, size: number): Buffer {
  const block = Buffer.allocUnsafe(size);
  readInto(source, block, 0, size);
  return block;
}

function readInto(source: SourceFile, buf: Buffer, offset: number, count: number): void {
  let got = 0;
  while (got < count) got += source.readInto(buf, offset + got, count - got);
}

/** Index of each uid and gid in the id table, in order of first use. */
class IdTable {
  readonly ids: number[] = [];
  private readonly index = new Map<number, number>();
  of(id: number): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }
}

function inodeBytes(node: Node, ids: IdTable, listing?: { ref: MetadataRef; size: number; parent: number; subdirs: number }): Buffer {
  const e = node.entry;
  const head = (type: number, rest: number): Buffer => {
    const b = Buffer.alloc(16 + rest);
    b.writeUInt16LE(type, 0);
    b.writeUInt16LE(e.mode & 0o7777, 2);
    b.writeUInt16LE(ids.of(e.uid), 4);
    b.writeUInt16LE(ids.of(e.gid), 6);
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
function listingBytes(dir: Node): Buffer {
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

/** A table stored as metadata blocks, then the index of their absolute offsets (the fragment and id tables). */
function indexedTable(records: Buffer, at: number): { bytes: Buffer; indexStart: number } {
  const stream = new MetadataStream(LEVEL);
  stream.add(records);
  const blocks = stream.finish();
  const index = Buffer.alloc(8 * stream.blockStarts.length);
  stream.blockStarts.forEach((s, i) => index.writeBigUInt64LE(BigInt(at + s), 8 * i));
  return { bytes: Buffer.concat([blocks, index]), indexStart: at + blocks.length };
}

export async function writeSquashfs(tree: ImageTree, out: string, mkfsTime: number): Promise<void> {
  for (const e of tree.entries)
    if (e.path !== '/' && Buffer.byteLength(baseName(e.path)) > 256) throw new Error(`image entry '${e.path}': a squashfs name has at most 256 bytes`);
  const root = buildTree(tree);
  const inodeCount = numberInodes(root);
  const fd = openSync(out, 'w');
  try {
    const data = new DataWriter(fd, SUPER_BLOCK_BYTES, LEVEL);
    const { fragments } = await writeData(root, data);
    const dataEnd = await data.finish();

    const ids = new IdTable();
    const inodes = new MetadataStream(LEVEL);
    const dirs = new MetadataStream(LEVEL);
    const writeDir = (dir: Node, parent: number): void => {
      for (const child of dir.children) {
        if (child.entry.type === 'dir') writeDir(child, dir.number);
        else child.ref = inodes.add(inodeBytes(child, ids));
      }
      const listing = listingBytes(dir);
      const ref = dirs.add(listing);
      const subdirs = dir.children.filter((c) => c.entry.type === 'dir').length;
      dir.ref = inodes.add(inodeBytes(dir, ids, { ref, size: listing.length, parent, subdirs }));
    };
    writeDir(root, inodeCount + 1);

    const inodeTable = inodes.finish();
    const dirTable = dirs.finish();
    const inodeTableStart = dataEnd;
    const dirTableStart = inodeTableStart + inodeTable.length;
    const fragmentRecords = Buffer.alloc(16 * fragments.length);
    fragments.forEach((f, i) => {
      fragmentRecords.writeBigUInt64LE(BigInt(f.start), 16 * i);
      fragmentRecords.writeUInt32LE(f.sizeWord, 16 * i + 8);
    });
    const fragmentTable = indexedTable(fragmentRecords, dirTableStart + dirTable.length);
    const idRecords = Buffer.alloc(4 * ids.ids.length);
    ids.ids.forEach((id, i) => idRecords.writeUInt32LE(id, 4 * i));
    const idTable = indexedTable(idRecords, dirTableStart + dirTable.length + fragmentTable.bytes.length);
    const tables = Buffer.concat([inodeTable, dirTable, fragmentTable.bytes, idTable.bytes]);
    writeSync(fd, tables, 0, tables.length, inodeTableStart);
    const bytesUsed = inodeTableStart + tables.length;

    const sb = Buffer.alloc(SUPER_BLOCK_BYTES);
    sb.writeUInt32LE(MAGIC, 0);
    sb.writeUInt32LE(inodeCount, 4);
    sb.writeUInt32LE(mkfsTime >>> 0, 8);
    sb.writeUInt32LE(BLOCK_SIZE, 12);
    sb.writeUInt32LE(fragments.length, 16);
    sb.writeUInt16LE(ZLIB, 20);
    sb.writeUInt16LE(BLOCK_LOG, 22);
    sb.writeUInt16LE(FLAGS, 24);
    sb.writeUInt16LE(ids.ids.length, 26);
    sb.writeUInt16LE(4, 28);
    sb.writeUInt16LE(0, 30);
    sb.writeBigUInt64LE((BigInt(root.ref!.block) << 16n) | BigInt(root.ref!.offset), 32);
    sb.writeBigUInt64LE(BigInt(bytesUsed), 40);
    sb.writeBigUInt64LE(BigInt(idTable.indexStart), 48);
    sb.writeBigUInt64LE(NO_TABLE, 56);
    sb.writeBigUInt64LE(BigInt(inodeTableStart), 64);
    sb.writeBigUInt64LE(BigInt(dirTableStart), 72);
    sb.writeBigUInt64LE(BigInt(fragmentTable.indexStart), 80);
    sb.writeBigUInt64LE(NO_TABLE, 88);
    writeSync(fd, sb, 0, sb.length, 0);
    ftruncateSync(fd, Math.ceil(bytesUsed / PAD_TO) * PAD_TO);
  } finally {
    closeSync(fd);
  }
}

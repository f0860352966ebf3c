import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { baseName, fileSize, inlineBytes, parentOf, type ImageTree } from '../image-tree.js';
import { SourceFile } from '../source-file.js';
import { DataWriter } from './data-writer.js';
import { IdTable, inodeBytes, listingBytes, type FileData, type Node } from './inodes.js';
import { MetadataStream } from './metadata-stream.js';

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

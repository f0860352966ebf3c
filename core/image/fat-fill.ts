import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { baseName, fileSize, inlineBytes, parentOf, type TreeEntry } from './image-tree.js';
import { fatName, type FatName } from './fat-names.js';
import { DOT, DOTDOT, longEntries, shortEntry } from './fat-entries.js';

// Fills a FAT file system that mkfs.vfat has just made (empty, but for the
// volume label entry) with a tree, in one pass and in-process: Microsoft's
// "FAT: General Overview of On-Disk Format" (FAT12/16/32 boot sector, FAT,
// directory entries, long names) is the reference. It replaced one mcopy
// per folder, whose start-up cost made vfat many times slower than one
// `mcopy -s` of the same tree (bench/image.ts); `mcopy -s` itself takes a
// folder's entries in readdir order, which depends on the host's file
// system, so it cannot give the same image twice.
//
// Reproducible by construction: clusters are handed out in path order,
// each file and folder contiguous, from the first free one; entries are
// written in path order; times are the tree's, in UTC. Nothing else is
// read from the host than the files' bytes.

/** What the boot sector (BIOS parameter block) says, and what follows from it. */
interface Geometry {
  readonly type: 12 | 16 | 32;
  readonly clusterBytes: number;
  /** Byte offsets of each FAT copy, and its length in bytes. */
  readonly fats: readonly number[];
  readonly fatBytes: number;
  /** FAT12/16: the fixed root folder region; FAT32: the root's first cluster. */
  readonly rootOffset: number;
  readonly rootBytes: number;
  readonly rootCluster: number;
  readonly dataOffset: number;
  /** Clusters 2 .. clusters + 1 exist. */
  readonly clusters: number;
  readonly fsInfoOffset?: number;
}

function geometry(boot: Buffer): Geometry {
  const bps = boot.readUInt16LE(11);
  const spc = boot[13];
  const reserved = boot.readUInt16LE(14);
  const nFats = boot[16];
  const rootEntries = boot.readUInt16LE(17);
  const total = boot.readUInt16LE(19) || boot.readUInt32LE(32);
  const fatSectors = boot.readUInt16LE(22) || boot.readUInt32LE(36);
  const rootSectors = Math.ceil((rootEntries * 32) / bps);
  const dataSector = reserved + nFats * fatSectors + rootSectors;
  const clusters = Math.floor((total - dataSector) / spc);
  const type = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
  const fsInfo = type === 32 ? boot.readUInt16LE(48) : 0;
  return {
    type,
    clusterBytes: bps * spc,
    fats: Array.from({ length: nFats }, (_, i) => (reserved + i * fatSectors) * bps),
    fatBytes: fatSectors * bps,
    rootOffset: (reserved + nFats * fatSectors) * bps,
    rootBytes: rootSectors * bps,
    rootCluster: type === 32 ? boot.readUInt32LE(44) : 0,
    dataOffset: dataSector * bps,
    clusters,
    fsInfoOffset: type === 32 && fsInfo > 0 && fsInfo < 0xffff ? fsInfo * bps : undefined,
  };
}

const EOC = { 12: 0xfff, 16: 0xffff, 32: 0x0fffffff } as const;

function setFat(fat: Buffer, type: 12 | 16 | 32, n: number, v: number): void {
  if (type === 16) fat.writeUInt16LE(v, n * 2);
  else if (type === 32) fat.writeUInt32LE((fat.readUInt32LE(n * 4) & 0xf0000000) | v, n * 4);
  else {
    const o = Math.floor(n * 1.5);
    if (n % 2 === 0) {
      fat[o] = v & 0xff;
      fat[o + 1] = (fat[o + 1] & 0xf0) | (v >> 8);
    } else {
      fat[o] = (fat[o] & 0x0f) | ((v & 0x0f) << 4);
      fat[o + 1] = v >> 4;
    }
  }
}

export class FatFull extends Error {}

/**
 * Writes `entries` (a checked tree, files and folders only, root first)
 * into the FAT image `image`. Throws FatFull when the clusters or the fixed
 * root folder of FAT12/16 run out.
 */
export function fillFat(image: string, entries: readonly TreeEntry[]): void {
  const fd = openSync(image, 'r+');
  try {
    const boot = Buffer.alloc(512);
    readSync(fd, boot, 0, 512, 0);
    const g = geometry(boot);
    const fat = Buffer.alloc(g.fatBytes);
    readSync(fd, fat, 0, g.fatBytes, g.fats[0]);
    const root = Buffer.alloc(g.type === 32 ? g.clusterBytes : g.rootBytes);
    readSync(fd, root, 0, root.length, g.type === 32 ? g.dataOffset + (g.rootCluster - 2) * g.clusterBytes : g.rootOffset);
    // mkfs.vfat's volume label entry (if any) stays first in the root.
    let kept = 0;
    while (kept < root.length && root[kept * 32] !== 0) kept++;

    // Each folder's children and their names, in path order.
    const children = new Map<string, { e: TreeEntry; name: FatName }[]>();
    const shorts = new Map<string, Set<string>>();
    const used = new Map<string, number>([['/', kept]]);
    for (const e of entries) {
      if (e.path === '/') continue;
      const parent = parentOf(e.path);
      if (!children.has(parent)) {
        children.set(parent, []);
        shorts.set(parent, new Set());
      }
      const name = fatName(baseName(e.path), shorts.get(parent)!);
      children.get(parent)!.push({ e, name });
      used.set(parent, (used.get(parent) ?? 2) + name.slots);
    }
    // Entries a folder takes: its children's, plus "." and ".." (or the root's label entry).
    const slots = (path: string) => used.get(path) ?? 2;

    // Clusters in path order, each chain contiguous. FAT32's root keeps the cluster mkfs gave it and grows after it.
    let next = 2;
    const first = new Map<string, number>();
    const chains: [start: number, count: number][] = [];
    const allocate = (path: string, bytes: number, at?: number) => {
      const count = Math.max(1, Math.ceil(bytes / g.clusterBytes));
      const start = at ?? next;
      if (start + count - 2 > g.clusters) throw new FatFull(`its files and folders need more than its ${g.clusters} clusters of ${g.clusterBytes} bytes`);
      next = Math.max(next, start + count);
      first.set(path, start);
      chains.push([start, count]);
    };
    if (g.type === 32) {
      if (g.rootCluster !== 2) throw new FatFull(`its root folder starts at cluster ${g.rootCluster}, not 2 as mkfs.vfat makes it`);
      allocate('/', slots('/') * 32, 2);
    } else if (slots('/') * 32 > g.rootBytes)
      throw new FatFull(
        `its root folder holds ${g.rootBytes / 32} entries and the tree puts ${slots('/')} there (FAT32, for a larger size, has no such limit)`,
      );
    for (const e of entries) {
      if (e.path === '/') continue;
      const size = e.type === 'dir' ? slots(e.path) * 32 : fileSize(e);
      if (e.type === 'dir' || size > 0) allocate(e.path, size);
    }
    for (const [start, count] of chains) for (let c = start; c < start + count; c++) setFat(fat, g.type, c, c === start + count - 1 ? EOC[g.type] : c + 1);

    // A folder's entries: ".", ".." and the children, or the root's after the label.
    const clustersOf = (path: string) => Math.max(1, Math.ceil((slots(path) * 32) / g.clusterBytes));
    const folder = (path: string, mtime: number): Buffer => {
      let o = 64;
      let buf: Buffer;
      if (path === '/') {
        buf = Buffer.alloc(g.type === 32 ? clustersOf('/') * g.clusterBytes : g.rootBytes);
        root.copy(buf, 0, 0, kept * 32);
        o = kept * 32;
      } else {
        buf = Buffer.alloc(clustersOf(path) * g.clusterBytes);
        const parent = parentOf(path) === '/' ? 0 : first.get(parentOf(path))!;
        shortEntry(buf, 0, DOT, 0, true, first.get(path)!, 0, mtime);
        shortEntry(buf, 32, DOTDOT, 0, true, parent, 0, mtime);
      }
      for (const { e, name } of children.get(path) ?? []) {
        if (name.long !== undefined) o = longEntries(buf, o, name.long, name.checksum);
        shortEntry(buf, o, name.short, name.caseBits, e.type === 'dir', first.get(e.path) ?? 0, e.type === 'dir' ? 0 : fileSize(e), e.mtime);
        o += 32;
      }
      return buf;
    };

    // The data area, written in cluster order through one buffer.
    const out = new ClusterWriter(fd, g);
    if (g.type === 32) out.put(2, folder('/', 0));
    else writeSync(fd, folder('/', 0), 0, g.rootBytes, g.rootOffset);
    for (const e of entries) {
      const c = first.get(e.path);
      if (e.path === '/' || c === undefined) continue;
      if (e.type === 'dir') out.put(c, folder(e.path, e.mtime));
      else out.file(c, e);
    }
    out.flush();

    for (const at of g.fats) writeSync(fd, fat, 0, g.fatBytes, at);
    if (g.fsInfoOffset !== undefined) {
      // FSInfo: free clusters and the next free one, as fsck.fat checks them.
      const info = Buffer.alloc(8);
      info.writeUInt32LE(g.clusters - (next - 2), 0);
      info.writeUInt32LE(next <= g.clusters + 1 ? next : 0xffffffff, 4);
      writeSync(fd, info, 0, 8, g.fsInfoOffset + 488);
    }
  } finally {
    closeSync(fd);
  }
}

/** For the read that finds a file's end. */
const ONE = Buffer.alloc(1);

/** Writes clusters in ascending order through a 4 MiB buffer; the gaps (cluster slack) stay zero, as the fresh image is. */
class ClusterWriter {
  private readonly buf = Buffer.alloc(4 << 20);
  private start = -1; // byte offset in the image of buf[0]
  private used = 0;
  constructor(
    private readonly fd: number,
    private readonly g: Geometry,
  ) {}

  private at(cluster: number): number {
    return this.g.dataOffset + (cluster - 2) * this.g.clusterBytes;
  }

  /** Makes room for writing at image offset `pos` (never before what was written). */
  private seek(pos: number): void {
    if (this.start >= 0 && pos >= this.start && pos - this.start < this.buf.length) {
      if (pos - this.start > this.used) this.buf.fill(0, this.used, pos - this.start);
      this.used = Math.max(this.used, pos - this.start);
      return;
    }
    this.flush();
    this.start = pos;
  }

  put(cluster: number, data: Buffer): void {
    let pos = this.at(cluster);
    for (let off = 0; off < data.length;) {
      this.seek(pos);
      const n = Math.min(this.buf.length - (pos - this.start), data.length - off);
      data.copy(this.buf, pos - this.start, off, off + n);
      this.used = pos - this.start + n;
      off += n;
      pos += n;
    }
  }

  file(cluster: number, e: TreeEntry): void {
    const inline = inlineBytes(e);
    if (inline) return this.put(cluster, inline);
    const size = fileSize(e);
    const src = openSync(e.source!, 'r');
    try {
      let pos = this.at(cluster);
      for (let left = size; left > 0;) {
        this.seek(pos);
        const n = readSync(src, this.buf, pos - this.start, Math.min(this.buf.length - (pos - this.start), left), null);
        if (n === 0) throw new Error(`${e.source} changed size while it was read for ${e.path}`);
        this.used = pos - this.start + n;
        left -= n;
        pos += n;
      }
      if (readSync(src, ONE, 0, 1, null) !== 0) throw new Error(`${e.source} changed size while it was read for ${e.path}`);
    } finally {
      closeSync(src);
    }
  }

  flush(): void {
    if (this.start >= 0 && this.used) writeSync(this.fd, this.buf, 0, this.used, this.start);
    this.start = -1;
    this.used = 0;
  }
}

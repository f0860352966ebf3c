import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { ChunkPacker, ChunkPool } from './chunk-packer.js';
import { baseName, fileSize, inlineBytes, parentOf, type TreeEntry } from './image-tree.js';
import { fatName, type FatName } from './fat-names.js';
import { DOT, DOTDOT, longEntries, shortEntry } from './fat-entries.js';
import { writeBehind } from './write-behind.js';

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
//
// In two steps, so the first overlaps mkfs.vfat (write-vfat.ts): planFat
// names every entry, which needs nothing of the image; fillFat reads the
// geometry mkfs chose and writes. The data area, in cluster order, is one
// stream of 1 MiB chunks (chunk-packer.ts, as the archives are packed),
// written behind while the next files are read (write-behind.ts).

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

/** What a tree needs of any FAT: each folder's children with their FAT names, in path order, and the directory entries they take. */
export interface FatPlan {
  readonly entries: readonly TreeEntry[];
  readonly children: ReadonlyMap<string, readonly { e: TreeEntry; name: FatName }[]>;
  /** A folder's entries: its children's (long and short), with "." and ".." but for the root. */
  readonly used: ReadonlyMap<string, number>;
}

/** Names `entries` (a checked tree, files and folders only, root first). */
export function planFat(entries: readonly TreeEntry[]): FatPlan {
  const children = new Map<string, { e: TreeEntry; name: FatName }[]>();
  const shorts = new Map<string, Set<string>>();
  const used = new Map<string, number>([['/', 0]]);
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
  return { entries, children, used };
}

/**
 * Writes the planned tree into the FAT image `image`. Throws FatFull when
 * the clusters or the fixed root folder of FAT12/16 run out.
 */
export async function fillFat(image: string, plan: FatPlan): Promise<void> {
  const { entries, children, used } = plan;
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
    // Entries a folder takes: its children's, plus "." and ".." (or the root's label entry).
    const slots = (path: string) => (path === '/' ? kept : 0) + (used.get(path) ?? 2);

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

    if (g.type !== 32) writeSync(fd, folder('/', 0), 0, g.rootBytes, g.rootOffset);
    const pool = new ChunkPool();
    await writeBehind(fd, dataArea(g, entries, first, folder, pool), g.dataOffset, pool);

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

/**
 * The data area from its first cluster to the end of the last file, in
 * cluster order (the order clusters were handed out in): FAT32's root
 * folder, then each folder's entries and each file's bytes at its first
 * cluster. Cluster slack is zeros, as in the freshly made image.
 */
function* dataArea(
  g: Geometry,
  entries: readonly TreeEntry[],
  first: ReadonlyMap<string, number>,
  folder: (path: string, mtime: number) => Buffer,
  pool: ChunkPool,
): Generator<Buffer> {
  const p = new ChunkPacker({ pool });
  let pos = 0; // bytes of the data area made so far
  const put = (cluster: number, bytes: Buffer | undefined, size: number) => {
    const at = (cluster - 2) * g.clusterBytes;
    p.zeros(at - pos);
    if (bytes) p.put(bytes);
    pos = at + size;
  };
  if (g.type === 32) {
    const root = folder('/', 0);
    put(2, root, root.length);
  }
  for (const e of entries) {
    const c = first.get(e.path);
    if (e.path === '/' || c === undefined) continue;
    if (e.type === 'dir') {
      const b = folder(e.path, e.mtime);
      put(c, b, b.length);
    } else {
      const inline = inlineBytes(e);
      const size = fileSize(e);
      put(c, inline, size);
      if (!inline) yield* p.copyFile(e.source!, size, e.path);
    }
    if (p.ready) yield* p.handOut();
  }
  yield* p.handOut(true);
}

import { BLOCK, writeTarHeader, type HeaderSink, type TarMember } from '../archive/tar-writer.js';
import { ChunkPacker, type PackerOptions } from './chunk-packer.js';
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

export interface TarStreamOptions {
  /** false leaves out the "./" member, for readers that reject it. */
  readonly withRoot?: boolean;
  /** How the bytes are handed on (chunk-packer.ts): whole 1 MiB chunks by default. */
  readonly pack?: PackerOptions;
}

// A synchronous generator: every step is (files are read with readSync into
// the chunk), and an async one turned each file's `yield*` into promises
// and a trip through the microtask queue, thousands per image; consumers
// take it with `for await` all the same.
export function* tarStream(tree: ImageTree, { withRoot = true, pack }: TarStreamOptions = {}): Generator<Buffer> {
  const p = new ChunkPacker(pack);
  const sink: HeaderSink = (length, fill) => p.write(length, fill);
  for (const e of tree.entries) {
    if (e.path === '/' && !withRoot) continue;
    if (e.type !== 'file') writeTarHeader(tarMember(e), sink);
    else {
      const inline = inlineBytes(e);
      const size = fileSize(e);
      writeTarHeader(tarMember(e, size), sink);
      if (inline) p.put(inline);
      else yield* p.copyFile(e.source!, size, e.path);
      p.zeros((BLOCK - (size % BLOCK)) % BLOCK);
    }
    if (p.ready) yield* p.handOut();
  }
  p.zeros(2 * BLOCK); // the end of the archive (tarEnd)
  yield* p.handOut(true);
}

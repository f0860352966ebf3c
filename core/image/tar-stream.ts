import { createReadStream, readFileSync, statSync } from 'node:fs';
import { padding, tarEnd, tarHeader, type TarMember } from '../archive/tar-writer.js';
import { inlineBytes, type ImageTree, type TreeEntry } from './image-tree.js';

// A tree as a pax tar stream, through our own tar writer
// (core/archive/tar-writer.ts), so the archive depends only on the tree.
// Member names are "./", "./etc/", "./etc/motd", as `tar -C rootfs -cf - .`
// writes them, so `tar -xf image.tar.gz -C /mnt` restores a root in place.

const MAX_USTAR_ID = 0o7777777;

export const tarName = (e: TreeEntry): string => (e.path === '/' ? './' : `.${e.path}${e.type === 'dir' ? '/' : ''}`);

// Small files are read in one synchronous call: a stream per file costs
// several thread-pool round trips, which dominate a tree of small files.
const SMALL = 8 << 20;

async function* fileBytes(e: TreeEntry, size: number): AsyncGenerator<Buffer> {
  let seen = 0;
  if (size <= SMALL) {
    const data = readFileSync(e.source!);
    seen = data.length;
    if (seen === size) yield data;
  } else {
    for await (const chunk of createReadStream(e.source!, { highWaterMark: 1 << 20 })) {
      seen += (chunk as Buffer).length;
      if (seen > size) break;
      yield chunk as Buffer;
    }
  }
  if (seen !== size) throw new Error(`${e.source} changed size while it was read for ${e.path}`);
}

/** The member a tree entry becomes; files carry their size. */
export function tarMember(e: TreeEntry, size = 0): TarMember {
  // ustar's id fields hold 7 octal digits; larger ids go in pax records (POSIX pax "uid", "gid").
  const pax: Record<string, string> = {};
  if (e.uid > MAX_USTAR_ID) pax.uid = String(e.uid);
  if (e.gid > MAX_USTAR_ID) pax.gid = String(e.gid);
  const base = {
    path: tarName(e),
    mode: e.mode,
    mtime: e.mtime,
    uid: Math.min(e.uid, MAX_USTAR_ID),
    gid: Math.min(e.gid, MAX_USTAR_ID),
    ...(Object.keys(pax).length ? { pax } : {}),
  };
  switch (e.type) {
    case 'file':
      return { ...base, type: 'file', size };
    case 'symlink':
      return { ...base, type: 'symlink', linkname: e.target };
    case 'chardev':
    case 'blockdev':
      return { ...base, type: e.type, devmajor: e.major, devminor: e.minor };
    default:
      return { ...base, type: e.type };
  }
}

/** `withRoot: false` leaves out the "./" member, for readers that reject it. */
export async function* tarStream(tree: ImageTree, withRoot = true): AsyncGenerator<Buffer> {
  for (const e of tree.entries) {
    if (e.path === '/' && !withRoot) continue;
    if (e.type !== 'file') {
      yield tarHeader(tarMember(e));
      continue;
    }
    const inline = inlineBytes(e);
    const size = inline ? inline.length : statSync(e.source!).size;
    yield tarHeader(tarMember(e, size));
    if (inline) yield inline;
    else yield* fileBytes(e, size);
    yield padding(size);
  }
  yield tarEnd();
}

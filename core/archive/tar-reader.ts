import { BLOCK } from './tar-writer.js';
import { ByteReader } from './byte-reader.js';

// Walks the members of a tar stream: ustar, pax ('x', 'g') and GNU ('L',
// 'K') long names, base-256 sizes. It reads headers only and skips data
// unless asked for it, so listing a kernel tarball costs what decompressing
// it costs.

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo' | 'other';

export interface TarEntry {
  /** The member's path as decoded for messages. */
  readonly path: string;
  readonly pathBytes: Buffer;
  readonly type: TarEntryType;
  /** The raw type flag, for messages about unusual members. */
  readonly typeflag: string;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly devmajor: number;
  readonly devminor: number;
  readonly linkname: string;
  readonly linkBytes: Buffer;
  /** pax records that applied to this member (global ones included). */
  readonly pax: ReadonlyMap<string, Buffer>;
  /** The member's content, when the caller asked for it. */
  readonly data?: Buffer;
}

export class TarFormatError extends Error {}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'chardev',
  '4': 'blockdev',
  '5': 'dir',
  '6': 'fifo',
};

function cstring(b: Buffer): Buffer {
  const end = b.indexOf(0);
  return end < 0 ? b : b.subarray(0, end);
}

function numeric(b: Buffer): number {
  // GNU base-256: high bit of the first byte set, big-endian binary after it.
  if (b[0] & 0x80) {
    let v = b[0] & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i];
    return v;
  }
  const s = cstring(b).toString('ascii').trim();
  return s ? parseInt(s, 8) : 0;
}

function parsePax(data: Buffer, into: Map<string, Buffer>): void {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) throw new TarFormatError('malformed pax record');
    const len = parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!(len > 0) || at + len > data.length) throw new TarFormatError('malformed pax record length');
    const rec = data.subarray(space + 1, at + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new TarFormatError('malformed pax record');
    into.set(rec.subarray(0, eq).toString('utf8'), rec.subarray(eq + 1));
    at += len;
  }
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return numeric(h.subarray(148, 156)) === sum;
}

/** Members of a tar stream in order. `withData` decides, per member, whether to read its content. */
export async function* tarEntries(source: AsyncIterable<Buffer>, withData: (e: TarEntry) => boolean = () => false): AsyncGenerator<TarEntry> {
  const r = new ByteReader(source);
  const global = new Map<string, Buffer>();
  let local = new Map<string, Buffer>();
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  for (;;) {
    const h = await r.read(BLOCK);
    // A missing end-of-archive marker is tolerated, as GNU tar does.
    if (!h) return;
    if (h.every((c) => c === 0)) return;
    if (!checksumOk(h)) throw new TarFormatError('bad header checksum (not a tar archive, or a corrupt one)');
    const typeflag = String.fromCharCode(h[156]);
    let size = numeric(h.subarray(124, 136));
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      const data = await r.read(padded);
      if (!data) throw new TarFormatError('archive ends inside an extended header');
      const body = data.subarray(0, size);
      if (typeflag === 'x') parsePax(body, local);
      else if (typeflag === 'g') parsePax(body, global);
      else if (typeflag === 'L') longName = cstring(body);
      else longLink = cstring(body);
      continue;
    }
    const pax = new Map([...global, ...local]);
    const ustar = h.subarray(257, 263).toString('ascii') === 'ustar\0';
    const prefix = ustar ? cstring(h.subarray(345, 500)) : Buffer.alloc(0);
    const shortName = cstring(h.subarray(0, 100));
    // ustar and old GNU headers both carry owner names and device numbers.
    const named = h.subarray(257, 262).toString('ascii') === 'ustar';
    const pathBytes = pax.get('path') ?? longName ?? (prefix.length ? Buffer.concat([prefix, Buffer.from('/'), shortName]) : shortName);
    const linkBytes = pax.get('linkpath') ?? longLink ?? cstring(h.subarray(157, 257));
    if (pax.has('size')) size = Number(pax.get('size')!.toString('ascii'));
    const type = TYPES[typeflag] ?? 'other';
    // Links, directories and devices carry no data whatever their size field says.
    const dataSize = type === 'file' || type === 'other' ? size : 0;
    const entry: TarEntry = {
      path: pathBytes.toString('utf8'),
      pathBytes,
      type,
      typeflag,
      mode: numeric(h.subarray(100, 108)) & 0o7777,
      size: dataSize,
      mtime: numeric(h.subarray(136, 148)),
      uid: pax.has('uid') ? Number(pax.get('uid')!.toString('ascii')) : numeric(h.subarray(108, 116)),
      gid: pax.has('gid') ? Number(pax.get('gid')!.toString('ascii')) : numeric(h.subarray(116, 124)),
      uname: pax.get('uname')?.toString('utf8') ?? (named ? cstring(h.subarray(265, 297)).toString('utf8') : ''),
      gname: pax.get('gname')?.toString('utf8') ?? (named ? cstring(h.subarray(297, 329)).toString('utf8') : ''),
      devmajor: named ? numeric(h.subarray(329, 337)) : 0,
      devminor: named ? numeric(h.subarray(337, 345)) : 0,
      linkname: linkBytes.toString('utf8'),
      linkBytes,
      pax,
    };
    local = new Map();
    longName = longLink = undefined;
    const blocks = Math.ceil(dataSize / BLOCK) * BLOCK;
    if (dataSize > 0 && withData(entry)) {
      const data = await r.read(blocks);
      if (!data) throw new TarFormatError(`archive ends inside member '${entry.path}'`);
      yield { ...entry, data: data.subarray(0, dataSize) };
    } else {
      // Skipped after the caller has seen the header, so a caller that stops
      // there (an archive bomb's huge member) never reads the data.
      yield entry;
      if (!(await r.skip(blocks))) throw new TarFormatError(`archive ends inside member '${entry.path}'`);
    }
  }
}

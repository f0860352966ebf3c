// Tar headers written byte for byte by us, so an archive depends only on what
// goes into it, never on the tar or libarchive version of the machine that
// makes it. Format: POSIX.1-2001 pax (IEEE Std 1003.1, "pax Interchange
// Format"): a ustar header per member, preceded by an extended header ('x')
// when the name, link target or size does not fit in ustar's fields.

export const BLOCK = 512;

export type TarMemberType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';

const TYPEFLAG: Record<TarMemberType, string> = { file: '0', hardlink: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' };

export interface TarMember {
  /** Path inside the archive, as bytes (git paths need not be UTF-8). */
  readonly path: Buffer | string;
  readonly type: TarMemberType;
  readonly mode: number;
  readonly mtime: number;
  readonly size?: number;
  /** Link target of a symlink or hard link. */
  readonly linkname?: Buffer | string;
  readonly devmajor?: number;
  readonly devminor?: number;
  /** Owner ids and names; root (0, "root") unless given. */
  readonly uid?: number;
  readonly gid?: number;
  readonly uname?: string;
  readonly gname?: string;
  /** Extra pax records for this member (e.g. `comment`). */
  readonly pax?: Record<string, Buffer | string>;
}

const bytes = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
// Indexed loops here and in the checksum: an image tar has a header per file,
// and iterating a Buffer through callbacks or its iterator made the headers
// cost more than reading the files (bench/image.ts).
function isAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] < 0x20 || b[i] >= 0x7f) return false;
  return true;
}
// ustar's size field holds 11 octal digits: up to 8 GiB - 1.
const MAX_USTAR_SIZE = 0o77777777777;

/**
 * Writes `text` at `offset`, at most `width` bytes, one byte per UTF-16 unit
 * (the low byte, as Buffer's 'ascii'/'latin1' writing does). A loop rather
 * than buf.write: a dozen native calls per header were most of its cost.
 */
function ascii(buf: Buffer, offset: number, width: number, text: string): void {
  const n = Math.min(width, text.length);
  for (let i = 0; i < n; i++) buf[offset + i] = text.charCodeAt(i) & 0xff;
}

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  ascii(buf, offset, width, value.toString(8).padStart(width - 1, '0') + '\0');
}

/** One pax record: "<length> <key>=<value>\n", where length counts the whole record. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), bytes(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'ascii'), body]);
}

export const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** Two zero blocks end an archive. */
export const tarEnd = (): Buffer => Buffer.alloc(2 * BLOCK);

interface Owner {
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
}

const ROOT: Owner = { uid: 0, gid: 0, uname: 'root', gname: 'root' };
const NO_LINK = Buffer.alloc(0);

/** Where header bytes go: `fill` writes `length` bytes at `offset` of `buf` (a chunk of the archive, or a buffer of their own). */
export type HeaderSink = (length: number, fill: (buf: Buffer, offset: number) => void) => void;

/** `value` as `digits` octal digits at `o` of `h`, written digit by digit (no string per field); returns their byte sum. */
function octalDigits(h: Buffer, o: number, digits: number, value: number): number {
  let sum = 0;
  for (let i = digits - 1; i >= 0; i--) {
    const d = 0x30 + (value % 8);
    h[o + i] = d;
    sum += d;
    value = Math.floor(value / 8);
  }
  return sum;
}

/**
 * A header's fixed fields (all but the name, size, link name and
 * checksum), with the checksum field as spaces, and their byte sum. The
 * members of an image mostly share their type, mode, owner and time, so
 * the last template of each type is kept and a header is one copy of it
 * plus the fields that differ: writing every field of every header cost
 * more than the rest of packing a tree of small files (bench/image.ts).
 */
interface Template {
  readonly mode: number;
  readonly mtime: number;
  readonly devmajor: number;
  readonly devminor: number;
  readonly owner: Owner;
  readonly block: Buffer;
  readonly sum: number;
}
const templates = new Map<string, Template>();

function template(typeflag: string, mode: number, mtime: number, devmajor: number, devminor: number, owner: Owner): Template {
  const t = templates.get(typeflag);
  const sameOwner = (o: Owner) => o === owner || (o.uid === owner.uid && o.gid === owner.gid && o.uname === owner.uname && o.gname === owner.gname);
  if (t && t.mode === mode && t.mtime === mtime && t.devmajor === devmajor && t.devminor === devminor && sameOwner(t.owner)) return t;
  const h = Buffer.alloc(BLOCK);
  octal(h, 100, 8, mode);
  // Owners are root unless the caller declares others, whoever makes the archive.
  octal(h, 108, 8, owner.uid);
  octal(h, 116, 8, owner.gid);
  octal(h, 136, 12, mtime);
  ascii(h, 156, 1, typeflag);
  ascii(h, 257, 6, 'ustar\0');
  ascii(h, 263, 2, '00');
  ascii(h, 265, 32, owner.uname.slice(0, 31));
  ascii(h, 297, 32, owner.gname.slice(0, 31));
  octal(h, 329, 8, devmajor);
  octal(h, 337, 8, devminor);
  // The checksum is computed with its own field read as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  const made = { mode, mtime, devmajor, devminor, owner, block: h, sum };
  templates.set(typeflag, made);
  return made;
}

/** Copies up to 100 bytes of `b` to `o` of `h`; returns their byte sum. */
function field100(h: Buffer, o: number, b: Buffer): number {
  let sum = 0;
  for (let i = 0, n = Math.min(b.length, 100); i < n; i++) sum += h[o + i] = b[i];
  return sum;
}

/** The 512-byte ustar block at `o` of `h`, written in place: no buffer per member (bench/image.ts). */
function ustarInto(
  h: Buffer,
  o: number,
  name: Buffer,
  typeflag: string,
  mode: number,
  size: number,
  mtime: number,
  linkname: Buffer,
  devmajor: number,
  devminor: number,
  owner: Owner = ROOT,
): void {
  const t = template(typeflag, mode, mtime, devmajor, devminor, owner);
  t.block.copy(h, o);
  let sum = t.sum + field100(h, o, name) + field100(h, o + 157, linkname);
  sum += octalDigits(h, o + 124, 11, Math.min(size, MAX_USTAR_SIZE)); // byte 135 stays NUL
  // Six octal digits, NUL, space (the field's spaces were counted in the template's sum).
  octalDigits(h, o + 148, 6, sum);
  h[o + 154] = 0;
  h[o + 155] = 0x20;
}

function extendedHeader(typeflag: 'x' | 'g', records: Buffer[], mtime: number): Buffer {
  const data = Buffer.concat(records);
  // The extended header's own name is fixed so it carries nothing of the host.
  const name = Buffer.from(typeflag === 'g' ? 'pax_global_header' : 'PaxHeader', 'ascii');
  const h = Buffer.alloc(BLOCK);
  ustarInto(h, 0, name, typeflag, 0o644, data.length, mtime, NO_LINK, 0, 0);
  return Buffer.concat([h, data, padding(data.length)]);
}

/** A global extended header ('g'): records that describe the whole archive. */
export function paxGlobalHeader(records: Record<string, Buffer | string>, mtime: number): Buffer {
  return extendedHeader(
    'g',
    Object.entries(records).map(([k, v]) => paxRecord(k, v)),
    mtime,
  );
}

/** The header block(s) of one member; its data and padding follow. */
export function tarHeader(m: TarMember): Buffer {
  const parts: Buffer[] = [];
  writeTarHeader(m, (length, fill) => {
    const b = Buffer.alloc(length);
    fill(b, 0);
    parts.push(b);
  });
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** The header block(s) of one member, written into `sink`: an extended header first when the member needs one. */
export function writeTarHeader(m: TarMember, sink: HeaderSink): void {
  const path = bytes(m.path);
  const link = m.linkname === undefined ? NO_LINK : bytes(m.linkname);
  const size = m.type === 'file' ? (m.size ?? 0) : 0;
  const records: Buffer[] = [];
  const asciiPath = isAscii(path);
  const asciiLink = isAscii(link);
  if (path.length > 100 || !asciiPath) records.push(paxRecord('path', path));
  if (link.length > 100 || !asciiLink) records.push(paxRecord('linkpath', link));
  if (size > MAX_USTAR_SIZE) records.push(paxRecord('size', String(size)));
  // pax names are UTF-8 unless declared otherwise; git paths may be any bytes.
  const notUtf8 = (b: Buffer) => Buffer.from(b.toString('utf8'), 'utf8').compare(b) !== 0;
  if ((!asciiPath && notUtf8(path)) || (!asciiLink && notUtf8(link))) records.unshift(paxRecord('hdrcharset', 'BINARY'));
  if (m.pax) for (const [k, v] of Object.entries(m.pax)) records.push(paxRecord(k, v));
  const owner: Owner =
    !m.uid && !m.gid && m.uname === undefined && m.gname === undefined
      ? ROOT
      : { uid: m.uid ?? 0, gid: m.gid ?? 0, uname: m.uname ?? (m.uid ? '' : 'root'), gname: m.gname ?? (m.gid ? '' : 'root') };
  if (records.length) {
    const ext = extendedHeader('x', records, m.mtime);
    sink(ext.length, (b, o) => ext.copy(b, o));
  }
  sink(BLOCK, (b, o) => ustarInto(b, o, path, TYPEFLAG[m.type], m.mode, size, m.mtime, link, m.devmajor ?? 0, m.devminor ?? 0, owner));
}

/** A whole small archive in memory: for tests and tiny fixtures. */
export function tarArchive(members: readonly (TarMember & { data?: Buffer | string })[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = m.data === undefined ? Buffer.alloc(0) : bytes(m.data);
    parts.push(tarHeader({ ...m, size: m.type === 'file' ? data.length : 0 }));
    if (m.type === 'file') parts.push(data, padding(data.length));
  }
  parts.push(tarEnd());
  return Buffer.concat(parts);
}

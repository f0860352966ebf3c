// The Unix `ar` archive, as Debian packages and opkg's .ipk files use it
// (deb(5): "!<arch>\n", then per member a 60-byte header and the data
// padded to an even length with "\n"). Written like dpkg-deb writes it:
// short names without GNU's trailing "/", owner 0, mode 100644, and one
// fixed mtime, so the archive depends only on its members.

export const AR_MAGIC = '!<arch>\n';
const HEADER = 60;

export interface ArMember {
  /** At most 15 characters: no long-name table is written. */
  readonly name: string;
  readonly data: Buffer;
}

function field(value: string, width: number): string {
  if (value.length > width) throw new Error(`ar: '${value}' does not fit in ${width} characters`);
  return value.padEnd(width, ' ');
}

export function arArchive(members: readonly ArMember[], mtime: number): Buffer {
  const parts: Buffer[] = [Buffer.from(AR_MAGIC, 'ascii')];
  for (const m of members) {
    if (!/^[\x21-\x7e]{1,15}$/.test(m.name) || m.name.includes('/')) throw new Error(`ar: member name '${m.name}' is not a short plain name`);
    // name[16] mtime[12] uid[6] gid[6] mode[8] size[10] fmag[2]
    const header = field(m.name, 16) + field(String(mtime), 12) + field('0', 6) + field('0', 6) + field('100644', 8) + field(String(m.data.length), 10) + '`\n';
    parts.push(Buffer.from(header, 'ascii'), m.data);
    if (m.data.length % 2) parts.push(Buffer.from('\n', 'ascii'));
  }
  return Buffer.concat(parts);
}

export type ArResult = { ok: true; members: ArMember[] } | { ok: false; reason: string };

/** The members of an archive, for checking what we wrote and for reading packages back. */
export function readAr(buf: Buffer): ArResult {
  if (buf.subarray(0, AR_MAGIC.length).toString('latin1') !== AR_MAGIC) return { ok: false, reason: 'not an ar archive (no "!<arch>" magic)' };
  const members: ArMember[] = [];
  let at = AR_MAGIC.length;
  while (at < buf.length) {
    if (at + HEADER > buf.length) return { ok: false, reason: `truncated member header at byte ${at}` };
    const h = buf.subarray(at, at + HEADER).toString('latin1');
    if (h.slice(58, 60) !== '`\n') return { ok: false, reason: `bad member header at byte ${at}` };
    const size = Number(h.slice(48, 58).trim());
    if (!Number.isSafeInteger(size) || size < 0 || at + HEADER + size > buf.length) return { ok: false, reason: `member at byte ${at} has a bad size` };
    // GNU ar ends short names with "/"; BSD and dpkg do not.
    const name = h.slice(0, 16).trimEnd().replace(/\/$/, '');
    members.push({ name, data: buf.subarray(at + HEADER, at + HEADER + size) });
    at += HEADER + size + (size % 2);
  }
  return { ok: true, members };
}

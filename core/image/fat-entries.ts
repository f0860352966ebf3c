// FAT directory entries as bytes (Microsoft's "FAT: General Overview of
// On-Disk Format", section 6): the 32-byte short entry with its times, the
// long-name entries before it, and the `.` and `..` names. fat-fill.ts
// places them; this file only encodes them.

interface FatTime {
  readonly seconds: number;
  readonly date: number;
  readonly time: number;
  readonly tenths: number;
}
// Most entries share one time (the epoch): the last one is kept, not made again per entry.
let lastTime: FatTime = { seconds: NaN, date: 0, time: 0, tenths: 0 };

/** FAT date and time (local time: the writer runs in UTC), from 1980 to 2107 as the format allows. */
function fatTime(seconds: number): FatTime {
  if (seconds === lastTime.seconds) return lastTime;
  const d = new Date(Math.min(Math.max(seconds, 315532800), 4354819198) * 1000);
  return (lastTime = {
    seconds,
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    tenths: (d.getUTCSeconds() % 2) * 100,
  });
}

/** One short directory entry (32 bytes) at `o`. */
export function shortEntry(buf: Buffer, o: number, name: Buffer, caseBits: number, dir: boolean, cluster: number, size: number, mtime: number): void {
  for (let i = 0; i < 11; i++) buf[o + i] = name[i]; // not Buffer.copy: it makes a view per call, an entry per file

  buf[o + 11] = dir ? 0x10 : 0x20;
  buf[o + 12] = caseBits;
  const t = fatTime(mtime);
  buf[o + 13] = t.tenths;
  buf.writeUInt16LE(t.time, o + 14);
  buf.writeUInt16LE(t.date, o + 16);
  buf.writeUInt16LE(t.date, o + 18);
  buf.writeUInt16LE(cluster >>> 16, o + 20);
  buf.writeUInt16LE(t.time, o + 22);
  buf.writeUInt16LE(t.date, o + 24);
  buf.writeUInt16LE(cluster & 0xffff, o + 26);
  buf.writeUInt32LE(size, o + 28);
}

/** The long-name entries of `name` (last part first, as they are stored), each 32 bytes, at `o`. */
export function longEntries(buf: Buffer, o: number, long: string, checksum: number): number {
  const parts = Math.ceil(long.length / 13);
  const units = Array.from({ length: parts * 13 }, (_, i) => (i < long.length ? long.charCodeAt(i) : i === long.length ? 0 : 0xffff));
  const at = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
  for (let p = parts; p >= 1; p--, o += 32) {
    buf[o] = p | (p === parts ? 0x40 : 0);
    buf[o + 11] = 0x0f;
    buf[o + 13] = checksum;
    for (let i = 0; i < 13; i++) buf.writeUInt16LE(units[(p - 1) * 13 + i], o + at[i]);
  }
  return o;
}

export const DOT = Buffer.from('.          ', 'latin1');
export const DOTDOT = Buffer.from('..         ', 'latin1');

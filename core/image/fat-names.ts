// FAT names (Microsoft's FAT specification, "Directory Entry" and "Long
// File Name Implementation"): every entry has an 8.3 short name, and a name
// that is not one gets long-name entries before it plus a made-up short
// alias ("BIGFIL~1"). A name that is 8.3 but lowercase ("etc", "vmlinuz",
// "boot.scr") is stored short, with the lowercase flags Windows NT, Linux
// and mtools honour (byte 12: 0x08 base, 0x10 extension), as mcopy does,
// so it needs no long entries and reads back as written.

export interface FatName {
  /** The 11 bytes of the short name: base padded to 8, extension to 3. */
  readonly short: Buffer;
  readonly caseBits: number;
  /** The name as long-name entries carry it, when the short name cannot. */
  readonly long?: string;
  /** The short name's checksum, which each long entry repeats. */
  readonly checksum: number;
  /** Directory entries it takes: the short one and its long ones. */
  readonly slots: number;
}

/** Characters a short name may hold besides A-Z and 0-9. */
const SHORT_EXTRA = "!#$%&'()-@^_`{}~";
/** Characters no FAT name may hold (besides controls); checked by checkVfatTree. */
export const FAT_FORBIDDEN = '\\/:*?"<>|';
export const FAT_MAX_NAME = 255;

const shortChar = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || SHORT_EXTRA.includes(c);
/** Every UTF-16 unit a short character (a surrogate never is, so units and code points agree). */
function allShort(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!shortChar(s[i])) return false;
  return true;
}

export function shortChecksum(short: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + short[i]) & 0xff;
  return sum;
}

// Short names are handled as 11-character strings (always ASCII: short
// characters only) and made bytes once: a name per file, and a Buffer per
// step made naming cost more than writing the entries (bench/image.ts).
const pad = (base: string, ext: string): string => base.padEnd(8, ' ') + ext.padEnd(3, ' ');

/** One case for a part: all lower (true), all upper or no letters (false), mixed (undefined). */
function lowerPart(s: string, upper: string): boolean | undefined {
  const lower = s !== upper;
  const hasUpper = s !== s.toLowerCase();
  return lower && hasUpper ? undefined : lower;
}

/** The name stored short when it is 8.3 in one case per part; undefined when it needs long entries. */
function exactShort(name: string): { short: string; caseBits: number } | undefined {
  const dot = name.lastIndexOf('.');
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? '' : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8 || ext.length > 3 || (dot >= 0 && ext.length === 0)) return undefined;
  const B = base.toUpperCase();
  const E = ext.toUpperCase();
  if (!allShort(B) || !allShort(E)) return undefined;
  const lb = lowerPart(base, B);
  const le = lowerPart(ext, E);
  if (lb === undefined || le === undefined) return undefined;
  return { short: pad(B, E), caseBits: (lb ? 0x08 : 0) | (le ? 0x10 : 0) };
}

/** The short alias of a long name: its characters made short-safe, the base cut to leave room for "~N", N the first free. */
function alias(name: string, taken: Set<string>): string {
  const clean = (s: string) => [...s.toUpperCase().replace(/ /g, '')].map((c) => (shortChar(c) ? c : '_')).join('');
  const trimmed = name.replace(/^\.+/, '');
  const dot = trimmed.lastIndexOf('.');
  const base = clean(dot < 0 ? trimmed : trimmed.slice(0, dot).replace(/\./g, '')) || '_';
  const ext = dot < 0 ? '' : clean(trimmed.slice(dot + 1)).slice(0, 3);
  for (let n = 1; ; n++) {
    const tail = `~${n}`;
    const short = pad(base.slice(0, 8 - tail.length) + tail, ext);
    if (!taken.has(short)) return short;
  }
}

/** The FAT name of `name` in a folder whose short names so far are `shorts` (11-character strings); adds its own. */
export function fatName(name: string, shorts: Set<string>): FatName {
  const exact = exactShort(name);
  const fits = exact !== undefined && !shorts.has(exact.short);
  const text = fits ? exact.short : alias(name, shorts);
  shorts.add(text);
  const short = Buffer.from(text, 'latin1');
  const checksum = shortChecksum(short);
  if (fits) return { short, caseBits: exact.caseBits, checksum, slots: 1 };
  return { short, caseBits: 0, long: name, checksum, slots: 1 + Math.ceil(name.length / 13) };
}

// A small ELF reader: just enough to find what a binary needs at run time
// (DT_NEEDED), what a library is called by its users (DT_SONAME) and which
// dynamic loader it asks for (PT_INTERP). Layouts from the System V ABI,
// "ELF Object File Format" (gABI, chapters 4 and 5): 32- and 64-bit, either
// byte order, so one reader serves every target Strata builds for.

export interface ElfInfo {
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  /** e_type: 1 relocatable, 2 executable, 3 shared object (PIE executables too), 4 core. */
  readonly type: number;
  /** e_machine (183 aarch64, 243 riscv, 62 x86-64, 3 i386…). */
  readonly machine: number;
  /** PT_INTERP: the dynamic loader's path, for dynamically linked programs. */
  readonly interpreter?: string;
  readonly soname?: string;
  /** DT_NEEDED entries in file order. */
  readonly needed: readonly string[];
}

export type ElfResult = { ok: true; elf: ElfInfo } | { ok: false; reason: string };

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_DYNAMIC = 6;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;

/** The first four bytes of every ELF file. */
export const isElf = (head: Buffer): boolean => head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;

class Truncated extends Error {}

/** Little and big endian reads of 16-, 32- and 64-bit fields, bounds-checked. */
function reader(buf: Buffer, little: boolean, wide: boolean) {
  const check = (at: number, n: number) => {
    if (!Number.isSafeInteger(at) || at < 0 || at + n > buf.length) throw new Truncated(`field at ${at} lies beyond the file's ${buf.length} bytes`);
  };
  const u16 = (at: number) => (check(at, 2), little ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number) => (check(at, 4), little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const u64 = (at: number) => {
    check(at, 8);
    const v = little ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at);
    // Offsets and addresses past 2^53 cannot point into a file we read whole.
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  /** A native-word field: 4 bytes in ELF32, 8 in ELF64. */
  const word = (at: number) => (wide ? u64(at) : u32(at));
  return { u16, u32, word };
}

function cstring(buf: Buffer, at: number, end = buf.length): string {
  if (at < 0 || at >= end) throw new Truncated(`string at ${at} lies outside its table`);
  const stop = buf.indexOf(0, at);
  return buf.toString('utf8', at, stop < 0 || stop > end ? end : stop);
}

interface Segment {
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
}

export function readElf(buf: Buffer): ElfResult {
  if (!isElf(buf)) return { ok: false, reason: 'not an ELF file' };
  if (buf.length < 52) return { ok: false, reason: 'truncated ELF header' };
  const cls = buf[4];
  const data = buf[5];
  if (cls !== 1 && cls !== 2) return { ok: false, reason: `unknown ELF class ${cls}` };
  if (data !== 1 && data !== 2) return { ok: false, reason: `unknown ELF byte order ${data}` };
  const wide = cls === 2;
  const r = reader(buf, data === 1, wide);
  try {
    // e_ident is 16 bytes; then e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, …
    const type = r.u16(16);
    const machine = r.u16(18);
    const phoff = r.word(wide ? 32 : 28);
    const shoff = r.word(wide ? 40 : 32);
    const phentsize = r.u16(wide ? 54 : 42);
    const phnum = r.u16(wide ? 56 : 44);
    const shentsize = r.u16(wide ? 58 : 46);
    const shnum = r.u16(wide ? 60 : 48);

    const segments: Segment[] = [];
    for (let i = 0; i < (phoff ? phnum : 0); i++) {
      const at = phoff + i * phentsize;
      // Elf64_Phdr: type, flags, offset, vaddr, paddr, filesz; Elf32_Phdr: type, offset, vaddr, paddr, filesz, memsz, flags.
      segments.push(
        wide
          ? { type: r.u32(at), offset: r.word(at + 8), vaddr: r.word(at + 16), filesz: r.word(at + 32) }
          : { type: r.u32(at), offset: r.word(at + 4), vaddr: r.word(at + 8), filesz: r.word(at + 16) },
      );
    }
    const interp = segments.find((s) => s.type === PT_INTERP);
    const interpreter = interp ? cstring(buf, interp.offset, Math.min(buf.length, interp.offset + interp.filesz)) : undefined;

    // The dynamic table: from PT_DYNAMIC, or from the .dynamic section when a
    // file has no program headers for it.
    let dyn: { offset: number; size: number; strtabOffset?: number } | undefined;
    const pd = segments.find((s) => s.type === PT_DYNAMIC);
    if (pd) dyn = { offset: pd.offset, size: pd.filesz };
    else if (shoff) {
      const section = (i: number) => {
        const at = shoff + i * shentsize;
        // Elf64_Shdr: name, type, flags, addr, offset, size, link; Elf32_Shdr the same order with 4-byte words.
        return wide
          ? { type: r.u32(at + 4), offset: r.word(at + 24), size: r.word(at + 32), link: r.u32(at + 40) }
          : { type: r.u32(at + 4), offset: r.word(at + 16), size: r.word(at + 20), link: r.u32(at + 24) };
      };
      for (let i = 0; i < shnum; i++) {
        const s = section(i);
        if (s.type === SHT_DYNAMIC) {
          dyn = { offset: s.offset, size: s.size, strtabOffset: s.link < shnum ? section(s.link).offset : undefined };
          break;
        }
      }
    }
    if (!dyn) return { ok: true, elf: { bits: wide ? 64 : 32, endian: data === 1 ? 'little' : 'big', type, machine, interpreter, needed: [] } };

    const entrySize = wide ? 16 : 8;
    const needed: number[] = [];
    let soname: number | undefined;
    let strtab: number | undefined;
    let strsz: number | undefined;
    for (let at = dyn.offset; at + entrySize <= dyn.offset + dyn.size; at += entrySize) {
      const tag = r.word(at);
      const val = r.word(at + entrySize / 2);
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED) needed.push(val);
      else if (tag === DT_SONAME) soname = val;
      else if (tag === DT_STRTAB) strtab = val;
      else if (tag === DT_STRSZ) strsz = val;
    }
    // DT_STRTAB is an address in memory: the PT_LOAD segment holding it maps
    // it back to a file offset.
    let strOffset = dyn.strtabOffset;
    if (strtab !== undefined) {
      const load = segments.find((s) => s.type === PT_LOAD && strtab! >= s.vaddr && strtab! < s.vaddr + s.filesz);
      if (load) strOffset = strtab - load.vaddr + load.offset;
    }
    if ((needed.length || soname !== undefined) && strOffset === undefined)
      return { ok: false, reason: 'the dynamic section has no string table the reader can find' };
    const end = strsz !== undefined ? Math.min(buf.length, strOffset! + strsz) : buf.length;
    const str = (v: number) => cstring(buf, strOffset! + v, end);
    return {
      ok: true,
      elf: {
        bits: wide ? 64 : 32,
        endian: data === 1 ? 'little' : 'big',
        type,
        machine,
        interpreter,
        soname: soname === undefined ? undefined : str(soname),
        needed: needed.map(str),
      },
    };
  } catch (e) {
    if (e instanceof Truncated) return { ok: false, reason: `truncated or corrupt ELF file: ${e.message}` };
    throw e;
  }
}

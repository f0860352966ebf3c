import { crc32 } from 'node:zlib';
import { GPT_ENTRIES, SECTOR, type DiskLayout } from './disk-layout.js';

// The bytes of a partition table, as pure functions of the layout and ids.
// GPT: UEFI Specification 2.10 §5.3 (header fields, CRC32 over the header
// with its CRC field zero and over the entry array, the backup header and
// entries at the end of the disk) and §5.2.3 (the protective MBR: one
// partition of type 0xEE covering the disk). MBR: the classic layout, disk
// signature at byte 440, four 16-byte entries at 446, 0x55AA at 510.

export interface TableIds {
  readonly diskGuid: string;
  readonly partitionGuids: readonly string[];
  /** 8 hex digits. */
  readonly mbrSignature: string;
}

/** A GUID's on-disk form: the first three fields little-endian (UEFI 2.10 Appendix A). */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

/** Cylinder/head/sector of an LBA in the 255-head, 63-sector geometry; past 1023 cylinders, the 1023/254/63 marker. */
function chs(lba: number): Buffer {
  const c = Math.floor(lba / (255 * 63));
  if (c > 1023) return Buffer.from([0xfe, 0xff, 0xff]);
  const h = Math.floor(lba / 63) % 255;
  const s = (lba % 63) + 1;
  return Buffer.from([h, ((c >> 2) & 0xc0) | s, c & 0xff]);
}

function mbrEntry(mbr: Buffer, slot: number, e: { boot: boolean; type: number; first: number; sectors: number }): void {
  const o = 446 + slot * 16;
  mbr[o] = e.boot ? 0x80 : 0;
  chs(e.first).copy(mbr, o + 1);
  mbr[o + 4] = e.type;
  chs(e.first + e.sectors - 1).copy(mbr, o + 5);
  mbr.writeUInt32LE(e.first, o + 8);
  mbr.writeUInt32LE(e.sectors, o + 12);
}

function mbrSector(signature: string): Buffer {
  const mbr = Buffer.alloc(SECTOR);
  mbr.writeUInt32LE(parseInt(signature, 16) >>> 0, 440);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

export function mbrTable(layout: DiskLayout, ids: TableIds): Buffer {
  const mbr = mbrSector(ids.mbrSignature);
  layout.partitions.forEach((p, i) => mbrEntry(mbr, i, { boot: p.bootable, type: p.type as number, first: p.start / SECTOR, sectors: p.size / SECTOR }));
  return mbr;
}

/** [bytes at offset 0, bytes at the end of the disk] for a GPT disk. */
export function gptTables(layout: DiskLayout, ids: TableIds): { head: Buffer; tail: Buffer } {
  const sectors = layout.size / SECTOR;
  const last = sectors - 1;
  const entrySectors = (GPT_ENTRIES * 128) / SECTOR;
  const entries = Buffer.alloc(GPT_ENTRIES * 128);
  layout.partitions.forEach((p, i) => {
    const o = i * 128;
    guidBytes(p.type as string).copy(entries, o);
    guidBytes(ids.partitionGuids[i]).copy(entries, o + 16);
    entries.writeBigUInt64LE(BigInt(p.start / SECTOR), o + 32);
    entries.writeBigUInt64LE(BigInt((p.start + p.size) / SECTOR - 1), o + 40);
    entries.writeBigUInt64LE(p.bootable ? 1n << 2n : 0n, o + 48);
    Buffer.from(p.label, 'utf16le').copy(entries, o + 56, 0, 72);
  });
  const header = (myLba: number, alternate: number, entriesLba: number): Buffer => {
    const h = Buffer.alloc(SECTOR);
    h.write('EFI PART', 0, 'ascii');
    h.writeUInt32LE(0x00010000, 8);
    h.writeUInt32LE(92, 12);
    h.writeBigUInt64LE(BigInt(myLba), 24);
    h.writeBigUInt64LE(BigInt(alternate), 32);
    h.writeBigUInt64LE(BigInt(2 + entrySectors), 40); // first usable LBA
    h.writeBigUInt64LE(BigInt(last - 1 - entrySectors), 48); // last usable LBA
    guidBytes(ids.diskGuid).copy(h, 56);
    h.writeBigUInt64LE(BigInt(entriesLba), 72);
    h.writeUInt32LE(GPT_ENTRIES, 80);
    h.writeUInt32LE(128, 84);
    h.writeUInt32LE(crc32(entries), 88);
    h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
    return h;
  };
  const protective = mbrSector('00000000');
  mbrEntry(protective, 0, { boot: false, type: 0xee, first: 1, sectors: Math.min(sectors - 1, 0xffffffff) });
  // The protective entry's CHS end is the 0xFFFFFF "too big" marker (UEFI 2.10 table 5-4).
  protective.fill(0xff, 446 + 5, 446 + 8);
  return {
    head: Buffer.concat([protective, header(1, last, 2), entries]),
    tail: Buffer.concat([entries, header(last, 1, last - entrySectors)]),
  };
}

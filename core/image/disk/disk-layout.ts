import { diag, type Diagnostic, type SourceLocation } from '../../diagnostics/diagnostic.js';
import { err, ok, type Result } from '../../model/result.js';
import type { DiskDescription, Size } from './disk-description.js';
import { defaultType, partitionType } from './partition-types.js';

// Where every partition and raw write goes, as pure arithmetic over the
// description and the sizes of the contents. Every problem is a DiskIssue
// value naming the partition (or raw write) and the field, all reported at
// once, so a YAML reader can point at the line.

export const SECTOR = 512;
const MiB = 1 << 20;
/** GPT: protective MBR, header, 128 entries of 128 bytes (UEFI 2.10 §5.3). */
export const GPT_ENTRIES = 128;
const GPT_TABLE_SECTORS = (GPT_ENTRIES * 128) / SECTOR;
export const GPT_HEAD_SECTORS = 2 + GPT_TABLE_SECTORS;
export const GPT_TAIL_SECTORS = 1 + GPT_TABLE_SECTORS;

export interface DiskIssue {
  readonly code: string;
  readonly message: string;
  /** Index into `partitions`, or into `raw` when `raw` is true. */
  readonly index?: number;
  readonly raw?: boolean;
  /** The field at fault: size, offset, type, label, content, fs. */
  readonly field?: string;
}

export interface PlacedPartition {
  readonly index: number;
  readonly label: string;
  readonly start: number;
  readonly size: number;
  /** GPT type GUID or MBR type byte. */
  readonly type: string | number;
  readonly bootable: boolean;
}

export interface DiskLayout {
  readonly table: 'gpt' | 'mbr';
  readonly size: number;
  readonly partitions: readonly PlacedPartition[];
  readonly raw: readonly { readonly index: number; readonly name: string; readonly offset: number; readonly size: number }[];
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, KIB: 1024, M: MiB, MIB: MiB, G: 1 << 30, GIB: 1 << 30, S: SECTOR };

export function parseSize(s: Size): number | undefined {
  if (typeof s === 'number') return Number.isSafeInteger(s) && s >= 0 ? s : undefined;
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(s);
  const unit = m && UNITS[m[2].toUpperCase()];
  return unit ? Number(m![1]) * unit : undefined;
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
const mib = (n: number): string => (n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`);

/** Checks what can be checked before any content exists. */
export function checkDescription(d: DiskDescription): DiskIssue[] {
  const issues: DiskIssue[] = [];
  const p = (index: number, field: string, code: string, message: string) => issues.push({ code, message, index, field });
  if (d.table !== 'gpt' && d.table !== 'mbr')
    issues.push({ code: 'disk-table', message: `partition table '${d.table}' is not one of gpt, mbr`, field: 'table' });
  if (d.partitions.length === 0) issues.push({ code: 'disk-empty', message: 'a disk needs at least one partition', field: 'partitions' });
  if (d.table === 'mbr' && d.partitions.length > 4)
    issues.push({ code: 'disk-mbr-limit', message: `an MBR disk holds 4 primary partitions; this one lists ${d.partitions.length}`, field: 'partitions' });
  if (d.table === 'gpt' && d.partitions.length > GPT_ENTRIES)
    issues.push({ code: 'disk-gpt-limit', message: `a GPT holds ${GPT_ENTRIES} partitions here`, field: 'partitions' });
  if (d.size !== undefined && parseSize(d.size) === undefined)
    issues.push({ code: 'disk-size', message: `disk size '${d.size}' is not a size (e.g. 512MiB)`, field: 'size' });
  const align = parseSize(d.align ?? MiB);
  if (!align || align % SECTOR)
    issues.push({ code: 'disk-size', message: `alignment '${d.align}' must be a positive multiple of ${SECTOR} bytes`, field: 'align' });
  const labels = new Map<string, number>();
  d.partitions.forEach((part, i) => {
    const name = `partition '${part.label}'`;
    if (!part.label) p(i, 'label', 'disk-label', `partition ${i + 1} has no label`);
    else if (labels.has(part.label)) p(i, 'label', 'disk-label', `${name} is listed twice (partitions ${labels.get(part.label)! + 1} and ${i + 1})`);
    labels.set(part.label, i);
    if (d.table === 'gpt' && Buffer.byteLength(part.label, 'utf16le') > 72) p(i, 'label', 'disk-label', `${name}: a GPT name holds 36 UTF-16 characters`);
    if (part.fs === 'vfat' && part.label.length > 11) p(i, 'label', 'disk-label', `${name}: a FAT label holds 11 characters`);
    if (part.fs === 'ext4' && Buffer.byteLength(part.label) > 16) p(i, 'label', 'disk-label', `${name}: an ext4 label holds 16 bytes`);
    if (partitionType(part.type ?? defaultType(part.fs), d.table) === undefined) {
      p(i, 'type', 'disk-type', `${name}: type '${part.type}' is not a known alias, ${d.table === 'gpt' ? 'nor a type GUID' : 'nor a byte such as 0x83'}`);
    }
    if (!['vfat', 'ext4', 'squashfs', 'none'].includes(part.fs))
      p(i, 'fs', 'disk-fs', `${name}: file system '${part.fs}' is not one of vfat, ext4, squashfs, none`);
    if (part.size === 'fill') {
      if (i !== d.partitions.length - 1) p(i, 'size', 'disk-fill', `${name}: only the last partition can fill the disk`);
      if (d.size === undefined) p(i, 'size', 'disk-fill', `${name} fills the disk, so the disk needs a size`);
    } else if (part.size !== undefined && !parseSize(part.size)) p(i, 'size', 'disk-size', `${name}: size '${part.size}' is not a size (e.g. 64MiB)`);
    if (part.offset !== undefined && (parseSize(part.offset) === undefined || parseSize(part.offset)! % SECTOR)) {
      p(i, 'offset', 'disk-offset', `${name}: offset '${part.offset}' must be a multiple of ${SECTOR} bytes`);
    }
    const kind = part.content?.kind;
    if (kind === 'raw' && part.fs !== 'none') p(i, 'content', 'disk-content', `${name}: raw content needs fs: none (it is written as it is)`);
    if ((kind === 'rootfs' || kind === 'files') && part.fs === 'none')
      p(i, 'content', 'disk-content', `${name}: ${kind} content needs a file system (vfat, ext4 or squashfs)`);
    if (part.fs !== 'none' && !kind) p(i, 'content', 'disk-content', `${name}: a ${part.fs} partition needs content (rootfs or files)`);
  });
  (d.raw ?? []).forEach((r, i) => {
    if (parseSize(r.offset) === undefined)
      issues.push({ code: 'disk-offset', message: `raw write '${r.name}': offset '${r.offset}' is not a byte offset`, index: i, raw: true, field: 'offset' });
  });
  return issues;
}

/**
 * Places partitions in order: each at its `offset` or at the next aligned
 * byte, sized by `size` or by what its content needs (`contentSizes`, bytes),
 * the last one possibly filling the disk. `fillSize` is not needed: a `fill`
 * partition's content is made after layout, at the size given here.
 */
export function layoutDisk(d: DiskDescription, contentSizes: readonly (number | undefined)[], rawSizes: readonly number[]): Result<DiskLayout, DiskIssue[]> {
  const issues = checkDescription(d);
  if (issues.length) return err(issues);
  const align = parseSize(d.align ?? MiB)!;
  const head = d.table === 'gpt' ? GPT_HEAD_SECTORS * SECTOR : SECTOR;
  const tail = d.table === 'gpt' ? GPT_TAIL_SECTORS * SECTOR : 0;
  const given = d.size === undefined ? undefined : parseSize(d.size)!;
  const placed: PlacedPartition[] = [];
  let cursor = head;
  d.partitions.forEach((part, i) => {
    const start = part.offset !== undefined ? parseSize(part.offset)! : roundUp(cursor, align);
    const need = contentSizes[i] ?? 0;
    let size: number;
    if (part.size === 'fill') size = Math.floor((given! - tail - start) / align) * align;
    else if (part.size !== undefined) size = parseSize(part.size)!;
    else size = roundUp(Math.max(need, SECTOR), align);
    if (size % SECTOR)
      issues.push({ code: 'disk-size', message: `partition '${part.label}': size ${size} is not a multiple of ${SECTOR} bytes`, index: i, field: 'size' });
    if (part.size !== 'fill' && need > size) {
      issues.push({
        code: 'disk-content-too-big',
        message: `partition '${part.label}' is ${mib(size)} but its content needs ${mib(need)}`,
        index: i,
        field: 'size',
      });
    }
    if (size <= 0)
      issues.push({
        code: 'disk-full',
        message: `partition '${part.label}' has no room left to fill: it starts at ${mib(start)} of a ${mib(given!)} disk`,
        index: i,
        field: 'size',
      });
    if (start < head) {
      issues.push({
        code: 'disk-overlap',
        message: `partition '${part.label}' starts at byte ${start}, inside the partition table (the first ${head} bytes)`,
        index: i,
        field: 'offset',
      });
    }
    const typeName = part.type ?? defaultType(part.fs);
    placed.push({ index: i, label: part.label, start, size, type: partitionType(typeName, d.table)!, bootable: part.bootable ?? false });
    cursor = start + Math.max(size, 0);
  });
  const raw = (d.raw ?? []).map((r, i) => ({ index: i, name: r.name, offset: parseSize(r.offset)!, size: rawSizes[i] ?? 0 }));
  const end = Math.max(cursor, ...raw.map((r) => r.offset + r.size));
  const size = given ?? roundUp(end + tail, align);
  const usableEnd = size - tail;
  for (const pp of placed) {
    if (pp.start + pp.size > usableEnd) {
      issues.push({
        code: 'disk-partition-too-big',
        message: `partition '${pp.label}' (${mib(pp.size)} at ${mib(pp.start)}) does not fit: the disk's partitions must end by byte ${usableEnd}${tail ? ' (before the backup GPT)' : ''}`,
        index: pp.index,
        field: 'size',
      });
    }
  }
  // Every pair of regions must be apart: partitions with each other and with raw writes.
  const regions = [
    ...placed.map((pp) => ({ what: `partition '${pp.label}'`, start: pp.start, end: pp.start + pp.size, index: pp.index, raw: false })),
    ...raw.map((r) => ({ what: `raw write '${r.name}'`, start: r.offset, end: r.offset + r.size, index: r.index, raw: true })),
  ];
  for (let a = 0; a < regions.length; a++) {
    for (let b = a + 1; b < regions.length; b++) {
      const [x, y] = [regions[a], regions[b]];
      if (x.start < y.end && y.start < x.end) {
        issues.push({
          code: 'disk-overlap',
          message: `${x.what} (bytes ${x.start}–${x.end}) overlaps ${y.what} (bytes ${y.start}–${y.end})`,
          index: y.index,
          raw: y.raw,
          field: 'offset',
        });
      }
    }
  }
  for (const r of raw) {
    if (r.offset < head || r.offset + r.size > usableEnd) {
      issues.push({
        code: 'disk-overlap',
        message: `raw write '${r.name}' (bytes ${r.offset}–${r.offset + r.size}) overlaps the ${d.table.toUpperCase()} partition table or runs past the usable end of the disk`,
        index: r.index,
        raw: true,
        field: 'offset',
      });
    }
  }
  if (d.table === 'mbr' && size / SECTOR > 0xffffffff) issues.push({ code: 'disk-size', message: 'an MBR disk ends by 2 TiB; use gpt', field: 'size' });
  return issues.length ? err(issues) : ok({ table: d.table, size, partitions: placed, raw });
}

/** Issues as Diagnostics; `locate` maps an issue's partition/field to where the description came from. */
export function diskDiagnostics(issues: readonly DiskIssue[], locate?: (issue: DiskIssue) => SourceLocation | undefined): Diagnostic[] {
  return issues.map((i) => diag(i.code, i.message, locate?.(i)));
}

import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { DiskDescription, FileSystemKind, PartitionContent, RawWrite, Size } from '../image/disk/disk-description.js';
import { checkDescription, diskDiagnostics, layoutDisk, type DiskIssue } from '../image/disk/disk-layout.js';
import { asBoolean, asNumber, asSeq, asString, get, readMap } from '../metadata/schema.js';
import type { LEntry, LValue } from '../metadata/tree.js';

// `disk:` in a machine file: the partitioned disk the board boots from,
// like Yocto's .wks or Buildroot's genimage.cfg, as typed YAML. Contents are
// symbolic here, since nothing is built yet:
//
//   disk:
//     table: gpt                        # or mbr
//     partitions:
//       - { label: boot, fs: vfat, size: 32MiB, bootable: true, content: boot }
//       - { label: root, fs: ext4, content: rootfs }
//       - { label: spl, fs: none, type: <GUID>, offset: 17K, content: { raw: u-boot-spl.bin } }
//     raw:
//       - { name: spl, file: u-boot-spl.bin, offset: 17K }
//
// `boot` is U-Boot's standard boot partition: the kernel, the device trees
// and extlinux/extlinux.conf (core/image/disk/boot-partition.ts). `raw`
// names a file the boot chain deploys (BOOT_FILES). Every problem that needs
// no built file (a bad size, a partition that cannot fit the disk, raw
// writes that overlap) is found here, at the line that causes it, before
// anything is fetched or compiled.

export type MachinePartitionContent = 'rootfs' | 'boot' | { readonly raw: string };

/** A disk description whose contents are symbolic (the partition shape is disk-description.ts's), with where it was written. */
export interface MachineDisk extends Omit<DiskDescription<MachinePartitionContent>, 'name'> {
  readonly raw: readonly RawWrite[];
  readonly loc: SourceLocation;
  /** Where an issue about a partition's or raw write's field was written, for diagnostics after the build. */
  readonly locate: (issue: DiskIssue) => SourceLocation;
}

const DISK_KEYS = ['table', 'size', 'align', 'partitions', 'raw'];
const PART_KEYS = ['label', 'type', 'size', 'offset', 'bootable', 'fs', 'content'];
const RAW_KEYS = ['name', 'file', 'offset'];

const size = (v: LValue, context: string): Size => (v.kind === 'scalar' && typeof v.value === 'number' ? asNumber(v, context) : asString(v, context));

function content(v: LValue): MachinePartitionContent {
  if (v.kind === 'map') return { raw: asString(get(readMap(v, ['raw'], 'disk partition content', ['raw']), 'raw')!, 'disk partition content raw') };
  const s = asString(v, 'disk partition content');
  if (s !== 'rootfs' && s !== 'boot')
    throw new UserError(
      diag('disk-content', `disk partition content '${s}' is not rootfs, boot or { raw: <file> }`, v.loc, {
        hint: 'rootfs: the image; boot: kernel, device trees and extlinux/extlinux.conf; raw: a file the boot chain deploys',
      }),
    );
  return s;
}

/** The description with placeholder contents, for checks before any content exists. */
export function placeholderDescription(d: MachineDisk): DiskDescription {
  const placeholder = (c: MachinePartitionContent | undefined): PartitionContent | undefined =>
    c === undefined ? undefined : c === 'rootfs' ? { kind: 'rootfs' } : c === 'boot' ? { kind: 'files', files: [] } : { kind: 'raw', file: c.raw };
  return {
    table: d.table,
    size: d.size,
    align: d.align,
    partitions: d.partitions.map((p) => ({ ...p, content: placeholder(p.content) })),
    raw: d.raw,
  };
}

export function readMachineDisk(v: LValue): MachineDisk {
  const m = readMap(v, DISK_KEYS, 'machine disk', ['table', 'partitions']);
  const table = asString(get(m, 'table')!, 'disk table');
  if (table !== 'gpt' && table !== 'mbr') throw new UserError(diag('disk-table', `disk table '${table}' is not gpt or mbr`, get(m, 'table')!.loc));
  const partEntries: Map<string, LEntry>[] = [];
  const partitions = asSeq(get(m, 'partitions')!, 'disk partitions').map((item) => {
    const p = readMap(item, PART_KEYS, 'disk partition', ['label', 'fs']);
    partEntries.push(p);
    const opt = <T>(k: string, read: (v: LValue, c: string) => T): T | undefined => (get(p, k) ? read(get(p, k)!, `disk partition ${k}`) : undefined);
    const sz = get(p, 'size');
    return {
      label: asString(get(p, 'label')!, 'disk partition label'),
      type: opt('type', asString),
      size: sz && sz.kind === 'scalar' && sz.value === 'fill' ? ('fill' as const) : opt('size', size),
      offset: opt('offset', size),
      bootable: opt('bootable', asBoolean),
      fs: asString(get(p, 'fs')!, 'disk partition fs') as FileSystemKind,
      content: get(p, 'content') ? content(get(p, 'content')!) : undefined,
    };
  });
  const rawEntries: Map<string, LEntry>[] = [];
  const raw = get(m, 'raw')
    ? asSeq(get(m, 'raw')!, 'disk raw').map((item) => {
        const r = readMap(item, RAW_KEYS, 'disk raw write', RAW_KEYS);
        rawEntries.push(r);
        return {
          name: asString(get(r, 'name')!, 'disk raw name'),
          file: asString(get(r, 'file')!, 'disk raw file'),
          offset: size(get(r, 'offset')!, 'disk raw offset'),
        };
      })
    : [];
  const locate = (i: DiskIssue): SourceLocation => {
    const entries = i.index === undefined ? m : (i.raw ? rawEntries : partEntries)[i.index];
    const at = entries?.get(i.field ?? '') ?? (i.field === 'file' ? entries?.get('content') : undefined);
    return at?.value.loc ?? (i.index === undefined ? v.loc : (i.raw ? asSeq(get(m, 'raw')!, '') : asSeq(get(m, 'partitions')!, ''))[i.index].loc);
  };
  const disk: MachineDisk = {
    table,
    size: get(m, 'size') ? size(get(m, 'size')!, 'disk size') : undefined,
    align: get(m, 'align') ? size(get(m, 'align')!, 'disk align') : undefined,
    partitions,
    raw,
    loc: v.loc,
    locate,
  };
  checkMachineDisk(disk);
  return disk;
}

/**
 * What can be known before the build: the description's own rules, and the
 * layout with every content at its smallest (nothing, and one byte per raw
 * write), so a partition that cannot fit the disk at any content size and raw
 * writes at overlapping offsets fail here, each at its line.
 */
export function checkMachineDisk(d: MachineDisk): void {
  const description = placeholderDescription(d);
  const issues = checkDescription(description);
  const layout = issues.length
    ? undefined
    : layoutDisk(
        description,
        [],
        d.raw.map(() => 1),
      );
  const all = layout && !layout.ok ? layout.error : issues;
  if (all.length) throw new UserError(diskDiagnostics(all, d.locate));
}

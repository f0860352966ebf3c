import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../../diagnostics/diagnostic.js';
import { writeAtomically } from '../atomic-output.js';
import { runTool } from '../host-tool.js';
import { imageTree, parentOf, treeDigest, type ImageEntry } from '../image-tree.js';
import type { ImageWriteOptions, ImageWriter } from '../image-writer.js';
import { stableHex32, stableUuid } from '../stable-id.js';
import { Ext4Writer } from '../write-ext4.js';
import { SquashfsWriter } from '../write-squashfs.js';
import { VfatWriter } from '../write-vfat.js';
import type { DiskDescription, PartitionDescription } from './disk-description.js';
import { checkDescription, diskDiagnostics, layoutDisk, parseSize, type DiskIssue, type DiskLayout } from './disk-layout.js';
import { gptTables, mbrTable, type TableIds } from './partition-table.js';

// A partitioned disk image: each partition's file system is made by the
// ext4, vfat or squashfs writer into a scratch file, placed by layoutDisk,
// and copied into one sparse file after the partition table. Ids are
// derived from a seed (see diskIds), so a caller can know the root
// partition's PARTUUID before the disk exists, e.g. to write it into
// extlinux.conf on the boot partition.

/** Every issue of a disk description; a reader that knows where each field came from can re-locate them (diskDiagnostics). */
export class DiskError extends UserError {
  constructor(readonly issues: readonly DiskIssue[]) {
    super(diskDiagnostics(issues));
  }
}

export interface DiskIds extends TableIds {
  /** What the kernel's root=PARTUUID= takes, per partition. */
  readonly partUuids: readonly string[];
  /** The seed each partition's file system derives its own ids (ext4 UUID, FAT volume id) from. */
  readonly partitionSeeds: readonly string[];
}

export function diskIds(d: DiskDescription, seed: string): DiskIds {
  const mbrSignature = stableHex32(seed, 'mbr-signature');
  const partitionGuids = d.partitions.map((p) => stableUuid(seed, `gpt-partition:${p.label}`));
  return {
    diskGuid: stableUuid(seed, 'gpt-disk'),
    partitionGuids,
    mbrSignature,
    // MBR PARTUUIDs are the disk signature and the 1-based partition number (the kernel's block/partitions/msdos.c).
    partUuids: d.table === 'gpt' ? partitionGuids : d.partitions.map((_, i) => `${mbrSignature}-${(i + 1).toString(16).padStart(2, '0')}`),
    partitionSeeds: d.partitions.map((p) => `${seed}\npartition ${p.label}`),
  };
}

/** The seed when the caller gives none: the disk's name, its description and the digest of every input. */
async function defaultSeed(d: DiskDescription, entries: readonly ImageEntry[], epoch: number): Promise<string> {
  // Host paths stay out (the same disk built in another folder is the same disk); their contents go in below.
  const described = JSON.stringify(d, (key, value) => (key === 'source' || key === 'file' ? undefined : value));
  const h = createHash('sha256').update(`strata-disk-v1\n${d.name ?? 'disk'}\n${described}\n`);
  if (d.partitions.some((p) => p.content?.kind === 'rootfs')) h.update(await treeDigest(imageTree(entries, epoch)));
  for (const p of d.partitions) {
    if (p.content?.kind === 'files') h.update(await treeDigest(imageTree(filesTree(p), epoch)));
    if (p.content?.kind === 'raw')
      h.update(await treeDigest(imageTree([{ path: '/raw', type: 'file', mode: 0o644, uid: 0, gid: 0, source: p.content.file }], epoch)));
  }
  for (const r of d.raw ?? []) h.update(await treeDigest(imageTree([{ path: '/raw', type: 'file', mode: 0o644, uid: 0, gid: 0, source: r.file }], epoch)));
  return h.digest('hex');
}

/** A `files` partition's entries, with root-owned parent folders made up. */
export function filesTree(p: PartitionDescription): ImageEntry[] {
  if (p.content?.kind !== 'files') return [];
  const out = new Map<string, ImageEntry>();
  for (const f of p.content.files) {
    for (let dir = parentOf(f.path); !out.has(dir); dir = parentOf(dir)) {
      out.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0 });
      if (dir === '/') break;
    }
    out.set(f.path, { path: f.path, type: 'file', mode: f.mode ?? 0o644, uid: 0, gid: 0, source: f.source, content: f.content });
  }
  return [...out.values()];
}

const FS_WRITERS = { ext4: new Ext4Writer(), vfat: new VfatWriter(), squashfs: new SquashfsWriter() };

/**
 * Copies `from` into the disk at `offset` with dd (coreutils): `conv=sparse`
 * seeks over all-zero blocks instead of writing them, so the fresh disk
 * file stays sparse; `notrunc` keeps what is already written after it.
 */
const place = (disk: string, from: string, offset: number): Promise<unknown> =>
  runTool('dd', [`if=${from}`, `of=${disk}`, 'bs=1M', 'conv=sparse,notrunc', 'oflag=seek_bytes', `seek=${offset}`, 'status=none']);

export class DiskWriter implements ImageWriter {
  readonly type = 'disk.img';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options: ImageWriteOptions = {}): Promise<void> {
    if (!options.disk)
      throw new DiskError([{ code: 'disk-missing', message: `image type '${this.type}' needs a disk description (the machine's disk layout)` }]);
    await writeDisk(options.disk, entries, out, sourceDateEpoch, options.seed);
  }
}

/** Writes the disk `d` to `out` and returns where everything went; a bad description throws DiskError with every issue. */
export async function writeDisk(d: DiskDescription, entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, seed?: string): Promise<DiskLayout> {
  const issues = checkDescription(d);
  if (issues.length) throw new DiskError(issues);
  const ids = diskIds(d, seed ?? (await defaultSeed(d, entries, sourceDateEpoch)));
  const scratch = await mkdtemp(join(dirname(out), '.disk-'));
  try {
    const content = async (i: number, sizeBytes: number | undefined): Promise<string | undefined> => {
      const p = d.partitions[i];
      if (!p.content) return undefined;
      if (p.content.kind === 'raw') return p.content.file;
      const file = join(scratch, `partition-${i}.${p.fs}`);
      const tree = p.content.kind === 'rootfs' ? entries : filesTree(p);
      await FS_WRITERS[p.fs as keyof typeof FS_WRITERS].write(tree, file, sourceDateEpoch, {
        seed: ids.partitionSeeds[i],
        label: p.label,
        sizeBytes: p.fs === 'squashfs' ? undefined : sizeBytes,
      });
      return file;
    };
    const files: (string | undefined)[] = [];
    for (let i = 0; i < d.partitions.length; i++) {
      const size = d.partitions[i].size;
      files[i] = size === 'fill' ? undefined : await content(i, size === undefined ? undefined : parseSize(size));
    }
    const missing: DiskIssue[] = [];
    const sizeOf = async (f: string | undefined, issue: Omit<DiskIssue, 'code' | 'message'> & { what: string }): Promise<number | undefined> => {
      if (!f) return undefined;
      const st = await stat(f).catch(() => undefined);
      if (!st?.isFile())
        missing.push({ code: 'disk-file', message: `${issue.what}: ${f} is not a readable file`, index: issue.index, raw: issue.raw, field: issue.field });
      return st?.size ?? 0;
    };
    const contentSizes = await Promise.all(files.map((f, i) => sizeOf(f, { what: `partition '${d.partitions[i].label}'`, index: i, field: 'content' })));
    const rawSizes = await Promise.all(
      (d.raw ?? []).map(async (r, i) => (await sizeOf(r.file, { what: `raw write '${r.name}'`, index: i, raw: true, field: 'file' }))!),
    );
    if (missing.length) throw new DiskError(missing);
    const placed = layoutDisk(d, contentSizes, rawSizes);
    if (!placed.ok) throw new DiskError(placed.error);
    const layout = placed.value;
    for (const p of layout.partitions) {
      if (d.partitions[p.index].size !== 'fill') continue;
      files[p.index] = await content(p.index, p.size);
      const need = (await sizeOf(files[p.index], { what: `partition '${p.label}'`, index: p.index, field: 'content' })) ?? 0;
      if (missing.length) throw new DiskError(missing);
      if (need > p.size)
        throw new DiskError([
          {
            code: 'disk-content-too-big',
            message: `partition '${p.label}' fills ${p.size} bytes but its content needs ${need}`,
            index: p.index,
            field: 'size',
          },
        ]);
    }
    await writeAtomically(out, async (tmp) => {
      const disk = await open(tmp, 'w');
      try {
        await disk.truncate(layout.size);
        if (layout.table === 'gpt') {
          const { head, tail } = gptTables(layout, ids);
          await disk.write(head, 0, head.length, 0);
          await disk.write(tail, 0, tail.length, layout.size - tail.length);
        } else {
          const mbr = mbrTable(layout, ids);
          await disk.write(mbr, 0, mbr.length, 0);
        }
      } finally {
        await disk.close();
      }
      for (const p of layout.partitions) if (files[p.index]) await place(tmp, files[p.index]!, p.start);
      for (const r of layout.raw) await place(tmp, d.raw![r.index].file, r.offset);
    });
    return layout;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

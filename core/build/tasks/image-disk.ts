import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { MachineDisk } from '../../config/machine-disk.js';
import type { Machine } from '../../config/machine.js';
import { diag } from '../../diagnostics/diagnostic.js';
import { sha256File } from '../../fetch/checksum.js';
import type { ImagePlan } from '../../graph/plan.js';
import type { bootPartitionFiles } from '../../image/disk/boot-partition.js';
import type { DiskDescription, PartitionContent } from '../../image/disk/disk-description.js';
import { diskDiagnostics } from '../../image/disk/disk-layout.js';
import type { ImageEntry } from '../../image/image-tree.js';
import { TaskFailed } from '../context.js';

// The machine's disk (`disk:` in its file) for an image: the root file
// system from the rootfs manifest, the boot partition with the kernel, its
// device trees and an extlinux.conf whose root=PARTUUID= names the root
// partition, and the boot chain's files at raw offsets. The partition ids
// derive from a seed made of the image's contents, so the PARTUUID is known
// before the disk is written, and the same inputs give the same bytes.
// The disk and file system writers are loaded when a disk is written, not
// by a build that finds the image up to date.

export const DISK_TYPE = 'disk.img';

export interface DiskInputs {
  readonly machine: Machine;
  readonly disk: MachineDisk;
  readonly imageName: string;
  readonly kernel: string;
  /** Files the boot chain deploys, by name (BOOT_FILES). */
  readonly bootFiles: ReadonlyMap<string, string>;
  /** Device trees of the kernel, on the host. */
  readonly devicetrees: readonly string[];
  /** The kernel command line without root=. */
  readonly bootargs: string;
}

/** The disk's description without host paths, for the image task's signature. */
export const diskSignature = (d: MachineDisk): string => JSON.stringify({ table: d.table, size: d.size, align: d.align, partitions: d.partitions, raw: d.raw });

/** Device trees the kernel installs in ${D}/boot (KERNEL_DEVICETREE). */
export function kernelDevicetrees(plan: ImagePlan): string[] {
  const k = plan.kernel.data;
  const list = k.has('KERNEL_DEVICETREE') ? k.get('KERNEL_DEVICETREE').split(/\s+/).filter(Boolean) : [];
  return list.map((d) => join(k.get('D'), 'boot', basename(d)));
}

async function seedOf(i: DiskInputs, entries: readonly ImageEntry[], epoch: number): Promise<string> {
  const { imageTree, treeDigest } = await import('../../image/image-tree.js');
  const h = createHash('sha256').update(`strata-disk-seed-v1\n${i.imageName}\n${i.machine.name}\n${diskSignature(i.disk)}\n${i.bootargs}\n`);
  h.update(await treeDigest(imageTree(entries, epoch)));
  h.update(await sha256File(i.kernel));
  for (const d of i.devicetrees) h.update(await sha256File(d));
  return h.digest('hex');
}

export async function writeMachineDisk(i: DiskInputs, entries: readonly ImageEntry[], out: string, epoch: number): Promise<string> {
  const { disk } = i;
  const missing = disk.partitions.flatMap((p, index) =>
    typeof p.content === 'object' && !i.bootFiles.has(p.content.raw) ? [{ index, file: p.content.raw, raw: false, field: 'content' }] : [],
  );
  disk.raw.forEach((r, index) => !i.bootFiles.has(r.file) && missing.push({ index, file: r.file, raw: true, field: 'file' }));
  if (missing.length) {
    const known = [...i.bootFiles.keys()].join(', ') || 'none';
    throw TaskFailed.of(
      missing.map((m) =>
        diag('disk-raw-file', `disk: '${m.file}' is not a file the boot chain deploys`, disk.locate({ code: '', message: '', ...m }), {
          hint: `the boot chain deploys: ${known} (BOOT_FILES of its recipes)`,
        }),
      ),
    );
  }
  const [{ DiskError, diskIds, writeDisk }, { bootPartitionFiles }] = await Promise.all([
    import('../../image/disk/write-disk.js'),
    import('../../image/disk/boot-partition.js'),
  ]);
  const seed = await seedOf(i, entries, epoch);
  const rootIndex = disk.partitions.findIndex((p) => p.content === 'rootfs');
  const withoutBoot = describe(i, []);
  const root = rootIndex >= 0 ? ` root=PARTUUID=${diskIds(withoutBoot, seed).partUuids[rootIndex]}` : '';
  const files = bootPartitionFiles({
    kernel: i.kernel,
    kernelName: basename(i.kernel),
    devicetrees: i.devicetrees,
    append: `${i.bootargs}${root}`.trim(),
    label: i.machine.name,
  });
  try {
    await writeDisk(describe(i, files), entries, out, epoch, seed);
  } catch (e) {
    if (e instanceof DiskError) throw TaskFailed.of(diskDiagnostics(e.issues, disk.locate));
    throw e;
  }
  return root.trim();
}

function describe(i: DiskInputs, bootFiles: ReturnType<typeof bootPartitionFiles>): DiskDescription {
  const content = (c: MachineDisk['partitions'][number]['content']): PartitionContent | undefined =>
    c === undefined ? undefined : c === 'rootfs' ? { kind: 'rootfs' } : c === 'boot' ? { kind: 'files', files: bootFiles } : { kind: 'raw', file: i.bootFiles.get(c.raw)! };
  return {
    name: `${i.imageName}-${i.machine.name}`,
    table: i.disk.table,
    size: i.disk.size,
    align: i.disk.align,
    partitions: i.disk.partitions.map((p) => ({ ...p, content: content(p.content) })),
    raw: i.disk.raw.map((r) => ({ ...r, file: i.bootFiles.get(r.file)! })),
  };
}

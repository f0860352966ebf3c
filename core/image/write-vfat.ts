import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { writeAtomically } from './atomic-output.js';
import { FatFull, fillFat, planFat, type FatPlan } from './fat-fill.js';
import { FAT_FORBIDDEN, FAT_MAX_NAME } from './fat-names.js';
import { HostToolError, runTool } from './host-tool.js';
import { baseName, fileSize, ImageTreeError, imageTree, treeDigest, type ImageEntry, type ImageTree } from './image-tree.js';
import type { ImageWriteOptions, ImageWriter } from './image-writer.js';
import { stableHex32 } from './stable-id.js';

// vfat (FAT12/16/32, as mkfs.fat picks for the size): boot partitions with
// a kernel, device trees and extlinux/extlinux.conf. FAT stores files and
// folders only: owners and modes do not exist there (mount options decide
// them), so symlinks, device nodes and fifos are refused, not dropped.
// mkfs.vfat (dosfstools 4.2) formats the image; fat-fill.ts then writes
// the tree into it in-process (one tool run in all, where one mcopy per
// folder made the writer many times slower than the tools themselves).
// While mkfs.vfat runs, the entries get their FAT names (planFat): that
// needs nothing of the image, and the child would otherwise be waited for
// with nothing done.
// Reproducible: `mkfs.vfat --invariant` fixes what it would take from the
// clock or at random, `-i` sets the volume id, derived from the inputs;
// the filler hands out clusters and entries in path order and takes times
// from the tree.

const MiB = 1 << 20;
/** A control character or one of FAT_FORBIDDEN. */
const NOT_FAT = new RegExp(`[\\u0000-\\u001f${FAT_FORBIDDEN.replace(/[\\\]^-]/g, '\\$&')}]`);
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

export function checkVfatTree(tree: ImageTree): void {
  const folded = new Map<string, string>();
  for (const e of tree.entries) {
    if (e.type !== 'file' && e.type !== 'dir') throw new ImageTreeError(`vfat cannot hold ${e.type} '${e.path}': FAT stores only files and folders`);
    const name = baseName(e.path);
    if (e.path !== '/' && (name.length > FAT_MAX_NAME || NOT_FAT.test(name)))
      throw new ImageTreeError(
        `vfat cannot hold the name '${e.path}': FAT names are at most ${FAT_MAX_NAME} characters, without controls or any of ${FAT_FORBIDDEN}`,
      );
    const key = e.path.toUpperCase();
    if (folded.has(key)) throw new ImageTreeError(`vfat names ignore case: '${e.path}' and '${folded.get(key)}' are the same name`);
    folded.set(key, e.path);
  }
}

async function vfatSize(tree: ImageTree): Promise<number> {
  let data = 0;
  for (const e of tree.entries) data += e.type === 'dir' ? 4096 : roundUp(fileSize(e), 4096);
  return roundUp(data * 1.1 + 2 * MiB, MiB);
}

export class VfatWriter implements ImageWriter {
  readonly type = 'vfat';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options: ImageWriteOptions = {}): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    checkVfatTree(tree);
    const seed = options.seed ?? (await treeDigest(tree));
    const bytes = options.sizeBytes ?? (await vfatSize(tree));
    await writeAtomically(out, async (tmp) => {
      const fd = openSync(tmp, 'w');
      try {
        ftruncateSync(fd, bytes);
      } finally {
        closeSync(fd);
      }
      const mkfs = ['--invariant', '-i', stableHex32(seed, 'vfat-volume-id')];
      if (options.label) mkfs.push('-n', options.label.toUpperCase());
      const formatted = runTool('mkfs.vfat', [...mkfs, tmp]);
      let plan: FatPlan;
      try {
        plan = planFat(tree.entries);
      } finally {
        await formatted;
      }
      try {
        await fillFat(tmp, plan);
      } catch (e) {
        if (e instanceof FatFull) throw new HostToolError(`vfat image ${out} is too small (${bytes} bytes): ${e.message}`);
        throw e;
      }
    });
  }
}

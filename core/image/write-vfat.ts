import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeAtomically } from './atomic-output.js';
import { HostToolError, runTool } from './host-tool.js';
import {
  baseName,
  fileSize,
  ImageTreeError,
  imageTree,
  inlineBytes,
  parentOf,
  treeDigest,
  type ImageEntry,
  type ImageTree,
  type TreeEntry,
} from './image-tree.js';
import type { ImageWriteOptions, ImageWriter } from './image-writer.js';
import { stableHex32 } from './stable-id.js';

// vfat (FAT12/16/32, as mkfs.fat picks for the size): boot partitions with
// a kernel, device trees and extlinux/extlinux.conf. FAT stores files and
// folders only: owners and modes do not exist there (mount options decide
// them), so symlinks, device nodes and fifos are refused, not dropped.
// Reproducible (dosfstools 4.2, mtools 4.0.32):
// - `mkfs.vfat --invariant` fixes what it would take from the clock or
//   at random, and `-i` sets the volume id, derived from the inputs;
// - mtools (mmd, mcopy) stamp entries with SOURCE_DATE_EPOCH when it is
//   set (mtools 4.0.25+), converted in TZ=UTC (FAT times are local times);
// - members are added in path order, so 8.3 alias names ("~1") come out
//   the same every time.

const MiB = 1 << 20;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
const BATCH = 256; // files per mcopy call: well under the argument size limit

export function checkVfatTree(tree: ImageTree): void {
  const folded = new Map<string, string>();
  for (const e of tree.entries) {
    if (e.type !== 'file' && e.type !== 'dir') throw new ImageTreeError(`vfat cannot hold ${e.type} '${e.path}': FAT stores only files and folders`);
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
    const scratch = await mkdtemp(join(dirname(out), '.vfat-'));
    try {
      await writeAtomically(out, async (tmp) => {
        const f = await open(tmp, 'w');
        await f.truncate(bytes);
        await f.close();
        const mkfs = ['--invariant', '-i', stableHex32(seed, 'vfat-volume-id')];
        if (options.label) mkfs.push('-n', options.label.toUpperCase());
        await runTool('mkfs.vfat', [...mkfs, tmp]);
        const mtools = (epoch: number) => ({ env: { MTOOLS_SKIP_CHECK: '1', SOURCE_DATE_EPOCH: String(epoch) } });
        // Folders first, in path order, grouped by their time.
        for (const [time, dirs] of groups(
          tree.entries.filter((e) => e.type === 'dir' && e.path !== '/'),
          (e) => String(e.mtime),
        )) {
          for (let i = 0; i < dirs.length; i += BATCH)
            await runTool('mmd', ['-i', tmp, ...dirs.slice(i, i + BATCH).map((d) => `::${d.path}`)], mtools(Number(time)));
        }
        // Files whose host name is their image name go in batches per folder and time; others one by one.
        const files = tree.entries.filter((e) => e.type === 'file');
        let n = 0;
        const hostFile = async (e: TreeEntry): Promise<string> => {
          const bytes = inlineBytes(e);
          if (!bytes) return e.source!;
          const p = join(scratch, String(n++), baseName(e.path));
          await mkdir(dirname(p));
          await writeFile(p, bytes);
          return p;
        };
        const sources = new Map<TreeEntry, string>();
        for (const e of files) sources.set(e, await hostFile(e));
        const batchable = files.filter((e) => basename(sources.get(e)!) === baseName(e.path));
        const single = new Set(files);
        batchable.forEach((e) => single.delete(e));
        for (const e of single) await runTool('mcopy', ['-i', tmp, '-Q', sources.get(e)!, `::${e.path}`], mtools(e.mtime));
        for (const [key, group] of groups(batchable, (e) => `${e.mtime} ${parentOf(e.path)}`)) {
          const [time, dir] = [Number(key.slice(0, key.indexOf(' '))), key.slice(key.indexOf(' ') + 1)];
          for (let i = 0; i < group.length; i += BATCH) {
            await runTool(
              'mcopy',
              ['-i', tmp, '-Q', ...group.slice(i, i + BATCH).map((e) => sources.get(e)!), `::${dir === '/' ? '/' : dir + '/'}`],
              mtools(time),
            );
          }
        }
      });
    } catch (e) {
      if (e instanceof HostToolError && /Disk full|No free|too big/i.test(e.message))
        throw new HostToolError(`vfat image ${out} is too small (${bytes} bytes) for its files: ${e.message}`);
      throw e;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

function groups<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
}

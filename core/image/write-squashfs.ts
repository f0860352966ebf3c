import { writeAtomically } from './atomic-output.js';
import { runTool } from './host-tool.js';
import { imageTree, type ImageEntry } from './image-tree.js';
import type { ImageWriter } from './image-writer.js';
import { tarStream } from './tar-stream.js';

// squashfs: our own tar stream (tar-stream.ts) piped into `mksquashfs -tar`
// (squashfs-tools 4.5+), which takes every owner, mode, time, link and
// device number from the tar headers: no staging folder, no pseudo-file
// list, no root. Reproducible: squashfs-tools 4.4+ writes the same image
// for the same input whatever the thread count; `-mkfs-time` fixes the
// super block's time; `-noappend` starts afresh; no xattrs are read.
// squashfs-tools 4.5.1 in -tar mode ignores tar's "./" member and
// `-root-time` (the root gets the wall clock), so `-all-time` gives every
// inode SOURCE_DATE_EPOCH: a squashfs image carries that one time, and
// `-root-mode/-uid/-gid` give the root its mode and owner from the tree.

export class SquashfsWriter implements ImageWriter {
  readonly type = 'squashfs';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    const root = tree.entries[0];
    await writeAtomically(out, async (tmp) => {
      const args = ['-', tmp, '-tar', '-noappend', '-no-xattrs', '-comp', 'gzip', '-quiet', '-no-progress', '-exit-on-error'];
      args.push('-mkfs-time', String(sourceDateEpoch), '-all-time', String(sourceDateEpoch), '-root-mode', root.mode.toString(8));
      args.push('-root-uid', String(root.uid), '-root-gid', String(root.gid));
      await runTool('mksquashfs', args, { input: tarStream(tree, { withRoot: false, pack: { reuse: true } }), blockingInput: true });
    });
  }
}

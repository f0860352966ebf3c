import { baseName, parentOf, type TreeEntry } from './image-tree.js';

// The debugfs command script that fills an empty ext4 image with a tree.
// debugfs (e2fsprogs) writes inodes the way the kernel would, without
// mounting and without root: `write` copies a file's bytes (holes kept),
// `mkdir`, `symlink` and `mknod` make the rest, and `sif` (set_inode_field)
// sets each inode's mode, owner and time from the tree, never from the host
// file that gave the bytes. Every inode's times start as
// E2FSPROGS_FAKE_TIME, which the writer sets to SOURCE_DATE_EPOCH.
// Names are double-quoted for debugfs's parser (libss), where a doubled
// quote stands for one quote.

const TYPE_BITS: Record<TreeEntry['type'], number> = { dir: 0o040000, file: 0o100000, symlink: 0o120000, chardev: 0o020000, blockdev: 0o060000, fifo: 0o010000 };

export const debugfsQuote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** `fileSource(e)` is the host file holding a file's bytes (a scratch copy for inline content). */
export function debugfsScript(entries: readonly TreeEntry[], epoch: number, fileSource: (e: TreeEntry) => string): string {
  const lines: string[] = [];
  let cwd = '/';
  for (const e of entries) {
    let name = '/';
    if (e.path !== '/') {
      const parent = parentOf(e.path);
      if (parent !== cwd) lines.push(`cd ${debugfsQuote(parent)}`);
      cwd = parent;
      name = debugfsQuote(baseName(e.path));
      // mke2fs made /lost+found already (e2fsck's home for orphans).
      if (e.type === 'dir') e.path !== '/lost+found' && lines.push(`mkdir ${name}`);
      else if (e.type === 'file') lines.push(`write ${debugfsQuote(fileSource(e))} ${name}`);
      else if (e.type === 'symlink') lines.push(`symlink ${name} ${debugfsQuote(e.target!)}`);
      else if (e.type === 'fifo') lines.push(`mknod ${name} p`);
      else lines.push(`mknod ${name} ${e.type === 'chardev' ? 'c' : 'b'} ${e.major} ${e.minor}`);
    }
    lines.push(`sif ${name} mode 0${(TYPE_BITS[e.type] | e.mode).toString(8)}`);
    lines.push(`sif ${name} uid ${e.uid}`);
    lines.push(`sif ${name} gid ${e.gid}`);
    if (e.mtime !== epoch) lines.push(`sif ${name} mtime @${e.mtime}`);
  }
  return lines.join('\n') + '\n';
}

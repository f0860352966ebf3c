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

const TYPE_BITS: Record<TreeEntry['type'], number> = {
  dir: 0o040000,
  file: 0o100000,
  symlink: 0o120000,
  chardev: 0o020000,
  blockdev: 0o060000,
  fifo: 0o010000,
};

export const debugfsQuote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * `fileSource(e)` is the host file holding a file's bytes (a scratch copy
 * for inline content); `hostMode(e)` its permission bits, which `write`
 * copies (create_inode.c: do_write_internal). New inodes are owned by 0:0;
 * `mkdir` gives 0755 (ext2fs_mkdir with the library's umask 022), `symlink`
 * 0777; device nodes and fifos always get their mode set.
 */
export function debugfsScript(entries: readonly TreeEntry[], epoch: number, fileSource: (e: TreeEntry) => string, hostMode: (e: TreeEntry) => number): string {
  const createdMode = (e: TreeEntry): number => (e.type === 'file' ? hostMode(e) : e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : -1);
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
      if (e.type === 'dir') {
        if (e.path !== '/lost+found') lines.push(`mkdir ${name}`);
      } else if (e.type === 'file') lines.push(`write ${debugfsQuote(fileSource(e))} ${name}`);
      else if (e.type === 'symlink') lines.push(`symlink ${name} ${debugfsQuote(e.target!)}`);
      else if (e.type === 'fifo') lines.push(`mknod ${name} p`);
      else lines.push(`mknod ${name} ${e.type === 'chardev' ? 'c' : 'b'} ${e.major} ${e.minor}`);
    }
    // Only what differs from what debugfs gave the new inode: a third of
    // the commands on a typical root, where most entries are root-owned.
    if (e.path === '/' || e.mode !== createdMode(e)) lines.push(`sif ${name} mode 0${(TYPE_BITS[e.type] | e.mode).toString(8)}`);
    if (e.path === '/' || e.uid !== 0) lines.push(`sif ${name} uid ${e.uid}`);
    if (e.path === '/' || e.gid !== 0) lines.push(`sif ${name} gid ${e.gid}`);
    if (e.mtime !== epoch) lines.push(`sif ${name} mtime @${e.mtime}`);
  }
  return lines.join('\n') + '\n';
}

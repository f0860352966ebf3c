import { statSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeAtomically } from './atomic-output.js';
import { debugfsScript } from './ext4-debugfs.js';
import { HostToolError, runTool } from './host-tool.js';
import { fileSize, imageTree, inlineBytes, treeDigest, type ImageEntry, type ImageTree, type TreeEntry } from './image-tree.js';
import type { ImageWriteOptions, ImageWriter } from './image-writer.js';
import { stableUuid } from './stable-id.js';

// ext4: mke2fs makes an empty file system, debugfs fills it (see
// ext4-debugfs.ts). What makes it reproducible (e2fsprogs 1.47):
// - our own mke2fs.conf (MKE2FS_CONFIG), so the host's /etc/mke2fs.conf
//   cannot change the features, block or inode size;
// - `-U` and `-E hash_seed=` (the htree directory hash seed) derived from
//   the inputs (stable-id.ts); `-E root_owner=0:0` rather than the caller;
// - E2FSPROGS_FAKE_TIME=SOURCE_DATE_EPOCH, which both tools use for "now":
//   superblock times and every inode's times;
// - `-E assume_storage_prezeroed=1` on a fresh sparse file: nothing is
//   wiped, so unwritten blocks read as zeros, the same on every run.
// `-d` (populate from a folder) is not used: it copies owners, modes and
// times from the host folder, and cannot make device nodes without root.

const MKE2FS_CONF = `[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	enable_periodic_fsck = 0
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384
	reserved_ratio = 5.0
	lazy_itable_init = 0
[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
`;

const BLOCK = 4096;
const MiB = 1 << 20;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The journal size mke2fs picks for a file system of this many blocks (ext2fs_default_journal_size). */
function journalBlocks(blocks: number): number {
  if (blocks < 2048) return 0;
  if (blocks < 32768) return 1024;
  if (blocks < 256 * 1024) return 4096;
  if (blocks < 512 * 1024) return 8192;
  if (blocks < 4096 * 1024) return 16384;
  return 32768;
}

/** Room for the tree: its blocks, a fifth more for metadata and growth, inode tables and the journal. */
export async function ext4SizeFor(tree: ImageTree): Promise<{ bytes: number; inodes: number }> {
  let data = 0;
  for (const e of tree.entries) {
    if (e.type === 'file') data += roundUp(fileSize(e), BLOCK);
    else if (e.type === 'dir' || (e.type === 'symlink' && Buffer.byteLength(e.target!) >= 60)) data += BLOCK;
  }
  const inodes = Math.ceil(tree.entries.length * 1.25) + 64;
  const base = roundUp(data * 1.2 + inodes * 256 + 4 * MiB, MiB);
  return { bytes: base + journalBlocks(base / BLOCK) * BLOCK, inodes };
}

export class Ext4Writer implements ImageWriter {
  readonly type = 'ext4';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options: ImageWriteOptions = {}): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    const seed = options.seed ?? (await treeDigest(tree));
    const need = await ext4SizeFor(tree);
    // A given size (a partition's) is used down to whole blocks.
    const bytes = options.sizeBytes === undefined ? need.bytes : Math.floor(options.sizeBytes / BLOCK) * BLOCK;
    const scratch = await mkdtemp(join(dirname(out), '.ext4-'));
    try {
      const conf = join(scratch, 'mke2fs.conf');
      await writeFile(conf, MKE2FS_CONF);
      const inline = new Map<TreeEntry, string>();
      for (const e of tree.entries) {
        const bytes = e.type === 'file' ? inlineBytes(e) : undefined;
        if (!bytes) continue;
        const p = join(scratch, `inline-${inline.size}`);
        await writeFile(p, bytes);
        inline.set(e, p);
      }
      const script = join(scratch, 'debugfs.cmd');
      const source = (e: TreeEntry) => inline.get(e) ?? e.source!;
      await writeFile(
        script,
        debugfsScript(tree.entries, sourceDateEpoch, source, (e) => statSync(source(e)).mode & 0o7777),
      );
      const env = { MKE2FS_CONFIG: conf, E2FSPROGS_FAKE_TIME: String(sourceDateEpoch) };
      await writeAtomically(out, async (tmp) => {
        const f = await open(tmp, 'w');
        await f.truncate(bytes);
        await f.close();
        const uuid = stableUuid(seed, 'ext4-uuid');
        const extended = [`hash_seed=${stableUuid(seed, 'ext4-hash-seed')}`, 'root_owner=0:0', 'assume_storage_prezeroed=1', 'nodiscard'];
        // At least one inode per 16 KiB (inode_ratio) when the size is given, so a big partition has room to grow.
        const inodes = Math.max(need.inodes, Math.floor(bytes / 16384));
        const args = ['-q', '-F', '-t', 'ext4', '-N', String(inodes), '-U', uuid, '-E', extended.join(','), '-o', 'Linux'];
        if (options.label) args.push('-L', options.label);
        await runTool('mke2fs', [...args, tmp], { env });
        // debugfs -f echoes every command (and "Allocated inode: N" per file) on stdout: thousands
        // of lines that took the launcher's line splitting more CPU than the rest of the writer.
        const { stderr } = await runTool('debugfs', ['-w', '-f', script, tmp], { env, ignoreStdout: true });
        // debugfs exits 0 even when a command fails; its errors are on stderr after the version banner.
        const errors = stderr.split('\n').filter((l) => l.trim() && !/^debugfs \d/.test(l));
        if (errors.length) throw new HostToolError(`debugfs could not fill ${out}: ${errors.slice(0, 5).join('; ')}`);
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

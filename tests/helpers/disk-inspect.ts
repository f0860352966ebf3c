import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A written disk image read back with the tools a user would reach for:
// sfdisk for the table, mtools for FAT, debugfs for ext4, and each file
// system's own fsck. Shared by the disk tests that need the same look.

export interface DiskPartition {
  /** In 512-byte sectors. */
  readonly start: number;
  readonly size: number;
  readonly type: string;
  readonly uuid: string;
  readonly name: string;
  readonly attrs?: string;
}

export function partitionTable(disk: string): { label: string; partitions: DiskPartition[] } {
  return (JSON.parse(execFileSync('sfdisk', ['--json', disk], { encoding: 'utf8' })) as { partitiontable: { label: string; partitions: DiskPartition[] } })
    .partitiontable;
}

/** The partition's bytes as a file in `dir` (mtools, debugfs and fsck take files, not offsets into disks). */
export function extractPartition(disk: string, p: DiskPartition, dir: string): string {
  const file = join(dir, `${p.name}.part`);
  writeFileSync(file, readFileSync(disk).subarray(p.start * 512, (p.start + p.size) * 512));
  return file;
}

// maxBuffer: a kernel is megabytes, execFileSync's default buffer one.
const mtools = { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' }, maxBuffer: 256 << 20 };

/** Every path in a FAT file system, directories with a trailing slash, sorted. */
export const fatPaths = (fat: string): string[] =>
  execFileSync('mdir', ['-i', fat, '-b', '-/', '::/'], { ...mtools, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^::/, ''))
    .sort();

export const fatFile = (fat: string, path: string): Buffer => execFileSync('mtype', ['-i', fat, `::${path}`], mtools);

/** `debugfs -R 'ls -p <dir>'`: the names in an ext4 directory. */
export const ext4Names = (ext4: string, dir: string): string[] =>
  execFileSync('debugfs', ['-R', `ls -p ${dir}`, ext4], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .map((l) => l.split('/')[5])
    .filter((n) => n && n !== '.' && n !== '..');

/** fsck.vfat -n / e2fsck -fn: throws (with the tool's output) unless the file system is clean. */
export function fsckClean(file: string, fs: 'vfat' | 'ext4'): void {
  execFileSync(fs === 'vfat' ? 'fsck.vfat' : 'e2fsck', [fs === 'vfat' ? '-n' : '-fn', file], { stdio: 'pipe' });
}

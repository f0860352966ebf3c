import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

// The members of a task output, for a reproducibility report: a folder's
// entries, a newc cpio's members (gzip'd or not; the initramfs images), or
// a plain file as one member. Each member is described by type, mode and
// content sum, so two listings can be compared member by member.

export interface Member {
  readonly path: string;
  /** `file 0644 <sha256> <size>`, `dir 0755`, `symlink -> target`, … */
  readonly what: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const mode = (m: number): string => (m & 0o7777).toString(8).padStart(4, '0');

function treeMembers(root: string): Member[] {
  // The folder itself is a member too: its mode is part of the task's output hash.
  const out: Member[] = [{ path: '.', what: `dir ${mode(lstatSync(root).mode)}` }];
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(root, r);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out.push({ path: r, what: `symlink -> ${readlinkSync(abs)}` });
      else if (st.isDirectory()) {
        out.push({ path: r, what: `dir ${mode(st.mode)}` });
        visit(r);
      } else if (st.isFile()) {
        const data = readFileSync(abs);
        out.push({ path: r, what: `file ${mode(st.mode)} ${sha256(data)} ${data.length}` });
      } else out.push({ path: r, what: `other ${st.mode.toString(8)}` });
    }
  };
  visit('');
  return out;
}

/** newc cpio (kernel Documentation/driver-api/early-userspace/buffer-format.rst): 110-byte ASCII header, name, data, 4-byte alignment. */
export function cpioMembers(data: Buffer): Member[] | undefined {
  const out: Member[] = [];
  let at = 0;
  const align = (n: number) => (n + 3) & ~3;
  while (at + 110 <= data.length) {
    if (data.toString('ascii', at, at + 6) !== '070701') return undefined;
    const field = (i: number) => parseInt(data.toString('ascii', at + 6 + i * 8, at + 14 + i * 8), 16);
    const [m, uid, gid, mtime, size, rmajor, rminor, namesize] = [field(1), field(2), field(3), field(5), field(6), field(9), field(10), field(11)];
    const name = data.toString('utf8', at + 110, at + 110 + namesize - 1);
    const start = align(at + 110 + namesize);
    const body = data.subarray(start, start + size);
    at = align(start + size);
    if (name === 'TRAILER!!!') return out;
    const kind = { 0o040000: 'dir', 0o100000: 'file', 0o120000: 'symlink', 0o020000: 'chardev', 0o060000: 'blockdev' }[m & 0o170000] ?? 'other';
    const content =
      kind === 'file' ? ` ${sha256(body)} ${size}` : kind === 'symlink' ? ` -> ${body.toString()}` : kind.endsWith('dev') ? ` ${rmajor}:${rminor}` : '';
    out.push({ path: name, what: `${kind} ${mode(m)} ${uid}:${gid} mtime ${mtime}${content}` });
  }
  return undefined;
}

export function members(path: string): Member[] {
  if (!existsSync(path)) return [];
  const st = lstatSync(path);
  if (st.isDirectory()) return treeMembers(path);
  const data = readFileSync(path);
  if (/\.cpio(\.gz)?$/.test(path)) {
    try {
      const list = cpioMembers(path.endsWith('.gz') ? gunzipSync(data) : data);
      if (list) return list;
    } catch {
      // Not a readable archive: compared as one file below.
    }
  }
  return [{ path: '.', what: `file ${mode(st.mode)} ${sha256(data)} ${data.length}` }];
}

export interface MemberDiff {
  readonly path: string;
  readonly a?: string;
  readonly b?: string;
}

/** Members that differ or exist on one side only, in path order. */
export function diffMembers(a: readonly Member[], b: readonly Member[]): MemberDiff[] {
  const ma = new Map(a.map((m) => [m.path, m.what]));
  const mb = new Map(b.map((m) => [m.path, m.what]));
  return [...new Set([...ma.keys(), ...mb.keys()])]
    .sort()
    .filter((p) => ma.get(p) !== mb.get(p))
    .map((path) => ({ path, a: ma.get(path), b: mb.get(path) }));
}

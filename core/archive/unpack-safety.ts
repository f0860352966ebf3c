import { decompressed } from './decompress.js';
import { tarEntries, TarFormatError, type TarEntry } from './tar-reader.js';

// What an archive may hold before we let `tar` extract it into a work
// folder: nothing that lands outside that folder and nothing that is not
// plain data. Rejected: absolute member paths, `..` components, symlinks and
// hard links whose target resolves outside the folder (following the
// archive's own symlinks, so a chain of harmless-looking links cannot climb
// out), device nodes and fifos. The whole archive is listed first, so a
// hostile archive is refused before a single byte is written.

export interface MemberProblem {
  readonly member: string;
  readonly reason: string;
}

const MAX_LINK_DEPTH = 40; // like the kernel's limit on nested symlinks

const components = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');

/**
 * Resolves `target` as seen from folder `from` (components below the work
 * folder), following symlinks the archive itself creates. Returns the
 * resolved components, or undefined when the path leaves the folder.
 */
function resolveInside(from: string[], target: string, symlinks: ReadonlyMap<string, string>, rooted: boolean, depth = 0): string[] | undefined {
  if (depth > MAX_LINK_DEPTH) return undefined;
  if (target.startsWith('/') && !rooted) return undefined;
  let at = target.startsWith('/') ? [] : [...from];
  for (const c of components(target)) {
    if (c === '..') {
      if (at.length === 0) return undefined;
      at.pop();
      continue;
    }
    at.push(c);
    const link = symlinks.get(at.join('/'));
    if (link !== undefined) {
      const next = resolveInside(at.slice(0, -1), link, symlinks, rooted, depth + 1);
      if (!next) return undefined;
      at = next;
    }
  }
  return at;
}

function describe(e: TarEntry): string | undefined {
  if (e.path.startsWith('/')) return 'has an absolute path';
  if (e.path.split('/').includes('..')) return "has a '..' component";
  if (e.type === 'chardev') return 'is a character device';
  if (e.type === 'blockdev') return 'is a block device';
  if (e.type === 'fifo') return 'is a fifo';
  return undefined;
}

/**
 * Every problem of one member list (pure: the tests feed it directly).
 *
 * `rooted` is for a package's file tree (a .deb's data), which is extracted
 * into a folder that stands for the device's `/`: there an absolute symlink
 * like `lib/modules/6.1/build -> /usr/src/linux-headers-6.1` is normal and
 * means a path under that folder. It is allowed, but no member may be
 * written through such a link, since on the build machine it leads out.
 */
export function memberProblems(entries: readonly TarEntry[], opts: { rooted?: boolean } = {}): MemberProblem[] {
  const rooted = opts.rooted ?? false;
  const problems: MemberProblem[] = [];
  const symlinks = new Map<string, string>();
  for (const e of entries) if (e.type === 'symlink') symlinks.set(components(e.path).join('/'), e.linkname);
  for (const e of entries) {
    const plain = describe(e);
    if (plain) {
      problems.push({ member: e.path, reason: plain });
      continue;
    }
    if (rooted) {
      const parts = components(e.path);
      const through = parts.slice(0, -1).findIndex((_, i) => symlinks.get(parts.slice(0, i + 1).join('/'))?.startsWith('/'));
      if (through >= 0) {
        problems.push({ member: e.path, reason: `is written through the absolute symlink '${parts.slice(0, through + 1).join('/')}', which leads out of the work folder` });
        continue;
      }
    }
    if (e.type === 'symlink') {
      const dir = components(e.path).slice(0, -1);
      if (!resolveInside(dir, e.linkname, symlinks, rooted)) problems.push({ member: e.path, reason: `is a symlink to '${e.linkname}', outside the work folder` });
    } else if (e.type === 'hardlink') {
      // A hard link names another member, relative to the archive's root.
      if (!resolveInside([], e.linkname, symlinks, false)) problems.push({ member: e.path, reason: `is a hard link to '${e.linkname}', outside the work folder` });
    }
  }
  return problems;
}

/** Lists an archive file and returns what makes it unsafe to extract (empty when it is safe). */
export async function archiveProblems(path: string): Promise<MemberProblem[]> {
  const entries: TarEntry[] = [];
  try {
    for await (const e of tarEntries(decompressed(path))) entries.push({ ...e, pax: new Map(), pathBytes: Buffer.alloc(0), linkBytes: Buffer.alloc(0) });
  } catch (e) {
    if (e instanceof TarFormatError) {
      const after = entries.at(-1);
      return [{ member: after ? `after '${after.path}'` : '(first header)', reason: `cannot be read: ${e.message}` }];
    }
    throw e;
  }
  return memberProblems(entries);
}

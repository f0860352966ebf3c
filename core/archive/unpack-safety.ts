import { decompressed } from './decompress.js';
import { listTarStream, type Listing, type ListOptions, type MemberProblem } from './tar-listing.js';
import type { TarEntry } from './tar-reader.js';

export type { MemberProblem } from './tar-listing.js';

// What an archive may hold before we let `tar` extract it into a work
// folder: nothing that lands outside that folder and nothing that is not
// plain data. Rejected: absolute member paths, `..` components, symlinks and
// hard links whose target resolves outside the folder (following the
// archive's own symlinks, so a chain of harmless-looking links cannot climb
// out), device nodes and fifos. The whole archive is listed before any of
// it reaches the work folder: the unpack task extracts it meanwhile, but
// into a sandboxed staging folder, moved into place only once every
// archive passed (core/build/unpack-staging.ts).

const MAX_LINK_DEPTH = 40; // like the kernel's limit on nested symlinks

const components = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');

/** A symlink's target at a path below the work folder: one the archives create, else one already on disk. */
export type LinkLookup = (path: string) => string | undefined;

/**
 * Resolves `target` seen from folder `from` (components below the work
 * folder) the way the kernel will: physically, following every symlink on
 * the way, each from where the previous one really led. Returns the
 * resolved components, or undefined when the path leaves the folder. With
 * `rooted`, an absolute target means the folder's own root.
 */
function resolveInside(from: readonly string[], target: string, links: LinkLookup, rooted: boolean, depth = 0): string[] | undefined {
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
    const link = links(at.join('/'));
    if (link !== undefined) {
      const next = resolveInside(at.slice(0, -1), link, links, rooted, depth + 1);
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

export interface MemberCheckOptions {
  /** A package tree extracted into a folder that stands for the device's `/` (see memberProblems). */
  readonly rooted?: boolean;
  /** Symlinks already in the work folder (from earlier archives or runs), by path below it. */
  readonly onDisk?: LinkLookup;
  /** A folder at the top of the work folder that no member may land in or link hard into (where unpack keeps its decompressed copies). */
  readonly reserved?: string;
}

/**
 * Every problem of one member list (pure: the tests feed it directly). Give
 * it the members of all archives one unpack extracts, in order, and the
 * links already on disk: links from one archive (or a previous run) can
 * redirect another archive's members.
 *
 * `rooted` is for a package's file tree (a .deb's data), which is extracted
 * into a folder that stands for the device's `/`: there an absolute symlink
 * like `lib/modules/6.1/build -> /usr/src/linux-headers-6.1` is normal and
 * means a path under that folder. It is allowed, but no member may be
 * written through such a link, since on the build machine it leads out.
 */
export function memberProblems(entries: readonly TarEntry[], opts: MemberCheckOptions = {}): MemberProblem[] {
  const rooted = opts.rooted ?? false;
  // The archives' links at the place each really lands (its folder resolved
  // through the links before it); the archives win over what is on disk.
  const made = new Map<string, string>();
  const links: LinkLookup = (p) => made.get(p) ?? opts.onDisk?.(p);
  const landing = (path: string): string[] | undefined => {
    const parts = components(path);
    const dir = resolveInside([], parts.slice(0, -1).join('/'), links, false);
    return dir && [...dir, ...parts.slice(-1)];
  };
  for (const e of entries) {
    if (e.type !== 'symlink' || describe(e)) continue;
    made.set((landing(e.path) ?? components(e.path)).join('/'), e.linkname);
  }
  const problems: MemberProblem[] = [];
  for (const [index, e] of entries.entries()) {
    const plain = describe(e);
    if (plain) {
      problems.push({ member: e.path, reason: plain, index });
      continue;
    }
    const at = landing(e.path);
    if (!at) {
      const parts = components(e.path);
      const bad = parts.findIndex((_, i) => !resolveInside([], parts.slice(0, i + 1).join('/'), links, false));
      const via = parts.slice(0, bad + 1).join('/');
      problems.push({
        member: e.path,
        reason: `is written through the symlink '${via}' (to '${links(via) ?? '?'}'), which leads out of the work folder`,
        index,
      });
      continue;
    }
    if (opts.reserved !== undefined && at[0] === opts.reserved) {
      problems.push({ member: e.path, reason: `lands in '${opts.reserved}', where Strata keeps the archives it is checking`, index });
      continue;
    }
    if (e.type === 'symlink') {
      if (!resolveInside(at.slice(0, -1), e.linkname, links, rooted))
        problems.push({ member: e.path, reason: `is a symlink to '${e.linkname}', outside the work folder`, index });
    } else if (e.type === 'hardlink') {
      // A hard link names another member, relative to the archive's root.
      const target = resolveInside([], e.linkname, links, false);
      if (!target) problems.push({ member: e.path, reason: `is a hard link to '${e.linkname}', outside the work folder`, index });
      else if (opts.reserved !== undefined && target[0] === opts.reserved)
        problems.push({ member: e.path, reason: `is a hard link into '${opts.reserved}', where Strata keeps the archives it is checking`, index });
    }
  }
  return problems;
}

/** Lists an archive file (headers only: contents are skipped), decompressing it as `tar -xf` would; see listTarStream for the options. */
export async function listArchive(path: string, opts: ListOptions = {}): Promise<Listing> {
  return listTarStream(decompressed(path), opts);
}

/** Lists an archive file and returns what makes it unsafe to extract on its own (empty when it is safe). */
export async function archiveProblems(path: string, opts: MemberCheckOptions = {}): Promise<MemberProblem[]> {
  const listing = await listArchive(path);
  return 'unreadable' in listing ? [listing.unreadable] : memberProblems(listing.entries, opts);
}

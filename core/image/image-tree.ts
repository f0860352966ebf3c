import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { MAX_MAJOR, MAX_MINOR } from '../model/device-numbers.js';
import type { ManifestEntry } from '../rootfs/manifest.js';

// What every image writer takes in: a list of entries with their type,
// owner, mode, time and where the bytes come from. It is a superset of the
// rootfs manifest (core/rootfs/manifest.ts), so a manifest is a valid input
// as it is; the extra fields (fifo, per-entry mtime, inline content) let
// other callers, such as the disk writer's boot partition, describe files
// the rootfs never had. Nothing here is read from the host's own inode
// metadata: only a file's bytes come from the host.

export type ImageEntryType = 'dir' | 'file' | 'symlink' | 'chardev' | 'blockdev' | 'fifo';

export interface ImageEntry {
  /** Absolute path inside the image, no trailing slash ("/" for the root). */
  readonly path: string;
  readonly type: ImageEntryType;
  /** Permission bits only (e.g. 0o755), no file type bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch; clamped to SOURCE_DATE_EPOCH, which is also the default. */
  readonly mtime?: number;
  /** For files: the host file holding the bytes (or `content`). */
  readonly source?: string;
  readonly content?: Buffer | string;
  /**
   * For files with a `source`: the content's sha256 and size when the caller
   * already knows them, as the rootfs manifest does (its files are stored
   * under their sha256). Writers then need not read or stat the file to
   * derive ids and sizes; the bytes written are still read from `source`,
   * and a size that does not match them is an error.
   */
  readonly sha256?: string;
  readonly size?: number;
  /** For symlinks. */
  readonly target?: string;
  /** For device nodes. */
  readonly major?: number;
  readonly minor?: number;
}

/** An entry after checking: its time resolved, in path order. */
export interface TreeEntry extends ImageEntry {
  readonly mtime: number;
}

/** A checked, sorted tree whose root ("/") is always present. */
export interface ImageTree {
  readonly entries: readonly TreeEntry[];
  readonly sourceDateEpoch: number;
}

/** A tree a writer cannot take: a user error (bad package contents), reported as a failed image task. */
export class ImageTreeError extends UserError {
  constructor(message: string) {
    super(diag('image-tree', message));
  }
}

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
export const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';
export const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
// Absolute, and no empty, '.' or '..' component: one test per entry, where
// splitting each path made checking a tree cost a tenth of writing it (bench/image.ts).
const NORMALIZED = /^(?:\/(?!\.{1,2}(?:\/|$))[^/]+)+$/;
export const MAX_ID = 0xfffffffe;
const MAX_TARGET = 4095;
const inRange = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;
const isId = (n: number): boolean => inRange(n, MAX_ID);

/**
 * Checks entries and fixes their order and times. Times are clamped to the
 * epoch, as the SOURCE_DATE_EPOCH specification asks of archives
 * (reproducible-builds.org/specs/source-date-epoch/). A missing root is
 * added as root:root 0755; any other missing parent is an error, since its
 * owner and mode would be a guess.
 */
export function imageTree(entries: readonly ImageEntry[], sourceDateEpoch: number): ImageTree {
  const seen = new Map<string, TreeEntry>();
  for (const e of entries) {
    if (e.path !== '/' && !NORMALIZED.test(e.path)) {
      throw new ImageTreeError(`image entry '${e.path}': a path must be absolute and normalized (no '.', '..', '//' or trailing '/')`);
    }
    if (e.path.includes('\0') || e.path.includes('\n'))
      throw new ImageTreeError(`image entry ${JSON.stringify(e.path)}: NUL and newline are not allowed in names`);
    if (seen.has(e.path)) throw new ImageTreeError(`image entry '${e.path}' is listed twice`);
    if (e.type === 'file' && e.source === undefined && e.content === undefined)
      throw new ImageTreeError(`image file '${e.path}' has neither a source file nor content`);
    if (e.type === 'symlink' && !e.target) throw new ImageTreeError(`image symlink '${e.path}' has no target`);
    // Linux reads no longer link (PATH_MAX): its squashfs calls such an inode corrupt.
    if (e.target !== undefined && e.target.length > MAX_TARGET / 3 && Buffer.byteLength(e.target) > MAX_TARGET)
      throw new ImageTreeError(`image symlink '${e.path}': its target has more than ${MAX_TARGET} bytes, which Linux cannot read`);
    if ((e.type === 'chardev' || e.type === 'blockdev') && (e.major === undefined || e.minor === undefined)) {
      throw new ImageTreeError(`image device node '${e.path}' needs major and minor numbers`);
    }
    // What every format can hold: a 32-bit owner (-1 means "unchanged" to chown, so not
    // an owner), and Linux's device numbers, which squashfs and ext4 store packed.
    if (!isId(e.uid) || !isId(e.gid)) throw new ImageTreeError(`image entry '${e.path}': owner ${e.uid}:${e.gid} is not a uid:gid from 0 to ${MAX_ID}`);
    if (e.major !== undefined && !inRange(e.major, MAX_MAJOR))
      throw new ImageTreeError(`image device node '${e.path}': major ${e.major} is not from 0 to ${MAX_MAJOR}`);
    if (e.minor !== undefined && !inRange(e.minor, MAX_MINOR))
      throw new ImageTreeError(`image device node '${e.path}': minor ${e.minor} is not from 0 to ${MAX_MINOR}`);
    if (e.path === '/' && e.type !== 'dir') throw new ImageTreeError(`the image root '/' must be a directory, not a ${e.type}`);
    // Object.assign, not a spread: the same copy, where spreading entries of
    // several shapes cost more than all the checks here (bench/image.ts).
    seen.set(e.path, Object.assign({}, e, { mode: e.mode & 0o7777, mtime: Math.min(e.mtime ?? sourceDateEpoch, sourceDateEpoch) }));
  }
  if (!seen.has('/')) seen.set('/', { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: sourceDateEpoch });
  for (const e of seen.values()) {
    if (e.path === '/') continue;
    const parent = seen.get(parentOf(e.path));
    if (!parent) throw new ImageTreeError(`image entry '${e.path}' has no parent directory entry '${parentOf(e.path)}'`);
    if (parent.type !== 'dir') throw new ImageTreeError(`image entry '${e.path}' is under '${parent.path}', which is a ${parent.type}`);
  }
  // Manifests come in path order: sorted already, the sort is skipped.
  const sorted = [...seen.values()];
  for (let i = 1; i < sorted.length; i++) if (byPath(sorted[i - 1], sorted[i]) > 0) return { entries: sorted.sort(byPath), sourceDateEpoch };
  return { entries: sorted, sourceDateEpoch };
}

/** The rootfs manifest as writer input: the same records (the adapter is the type). */
export const fromManifest = (entries: readonly ManifestEntry[]): readonly ImageEntry[] => entries;

/** A file entry's size: its inline bytes', the size the caller gave, or the source file's. */
export const fileSize = (e: ImageEntry): number => inlineBytes(e)?.length ?? e.size ?? statSync(e.source!).size;

/** A file entry's bytes, wherever they come from. */
export const inlineBytes = (e: ImageEntry): Buffer | undefined =>
  e.content === undefined ? undefined : typeof e.content === 'string' ? Buffer.from(e.content) : e.content;

// Read whole in one synchronous call when small: a stream per file costs
// thread-pool round trips that dominate a tree of thousands of small files.
const SMALL = 8 << 20;

async function fileDigest(path: string): Promise<string> {
  const h = createHash('sha256');
  if (statSync(path).size <= SMALL) return h.update(readFileSync(path)).digest('hex');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * A digest of everything that makes the image: names, types, owners, modes,
 * times, link targets, device numbers and file contents (never host paths).
 * Writers derive the ids a file system needs (UUIDs, volume ids, hash seeds)
 * from it when the caller gives no seed, so the same tree gives the same ids
 * and a changed tree gets new ones.
 */
/** A number as JSON.stringify writes it. */
const jsonNumber = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');

export async function treeDigest(tree: ImageTree): Promise<string> {
  // One text hashed in one call: an update per entry (a native call and a
  // UTF-8 conversion each) cost more than the rest of a vfat image's
  // planning (bench/image.ts). The digest is the same either way.
  const lines = [`strata-image-tree-v1 ${tree.sourceDateEpoch}\n`];
  for (const e of tree.entries) {
    const inline = inlineBytes(e);
    const content = e.type !== 'file' ? '' : inline ? createHash('sha256').update(inline).digest('hex') : (e.sha256 ?? (await fileDigest(e.source!)));
    // JSON.stringify([path, type, mode, uid, gid, mtime, target, major, minor, content]),
    // made by hand: the array per entry cost more than the hashing.
    const [q, n] = [JSON.stringify, jsonNumber];
    lines.push(
      `[${q(e.path)},${q(e.type)},${n(e.mode)},${n(e.uid)},${n(e.gid)},${n(e.mtime)},${q(e.target ?? '')},${n(e.major ?? -1)},${n(e.minor ?? -1)},${q(content)}]\n`,
    );
  }
  return createHash('sha256').update(lines.join('')).digest('hex');
}

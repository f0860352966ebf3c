import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// A root filesystem as data: every path with its type, mode and owner, and
// where its bytes come from. Image writers read this, never the host's own
// file owners, so the image is the same whoever builds it, root or not.

export type EntryType = 'dir' | 'file' | 'symlink' | 'chardev' | 'blockdev';

export interface ManifestEntry {
  /** Absolute path inside the image, no trailing slash ("/" for the root). */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits only (e.g. 0o755), no file type bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Owner and group names, as the package or declaration gave them (uid/gid decide). */
  readonly owner?: string;
  readonly group?: string;
  /** For files: the host file holding the content (filled in by readRootfsManifest). */
  readonly source?: string;
  /** For files: sha256 of the content; the content is `files/<sha256>` beside the manifest. */
  readonly sha256?: string;
  readonly size?: number;
  /** For symlinks. */
  readonly target?: string;
  /** For device nodes. */
  readonly major?: number;
  readonly minor?: number;
  /** The package that installed it; absent for what the rootfs itself adds (skeleton, implied folders). */
  readonly pkg?: string;
}

/** A package installed in the rootfs, for the image's package manifest and SBOM. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly license: string;
  readonly recipe: string;
  readonly depends: readonly string[];
  /** sha256 of the .ipk it was installed from. */
  readonly ipkSha256: string;
}

/** `rootfs/manifest.json`: location-free (no host paths), so two build folders make the same bytes. */
export interface RootfsManifest {
  readonly format: 1;
  readonly packages: readonly InstalledPackage[];
  readonly entries: readonly ManifestEntry[];
}

export function sortEntries(entries: readonly ManifestEntry[]): ManifestEntry[] {
  // Plain code-point order on the path: parents come before children.
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Where a file's content lives, beside the manifest. */
export const contentPath = (manifest: string, sha256: string): string => join(dirname(manifest), 'files', sha256);

/** Reads a rootfs manifest, with each file's `source` pointing at its content. */
export function readRootfsManifest(path: string): RootfsManifest {
  const m = JSON.parse(readFileSync(path, 'utf8')) as RootfsManifest;
  return { ...m, entries: m.entries.map((e) => (e.type === 'file' && e.sha256 ? { ...e, source: contentPath(path, e.sha256) } : e)) };
}

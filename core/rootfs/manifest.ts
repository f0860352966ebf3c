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
  /** For files: the host file holding the content. */
  readonly source?: string;
  /** For symlinks. */
  readonly target?: string;
  /** For device nodes. */
  readonly major?: number;
  readonly minor?: number;
  /** The package that installed it, for the image manifest. */
  readonly pkg?: string;
}

export function sortEntries(entries: readonly ManifestEntry[]): ManifestEntry[] {
  // Plain code-point order on the path: parents come before children.
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

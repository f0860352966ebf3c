import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../fs/atomic-write.js';

// A mirror folder's index.json: one entry per file, with what is needed to
// trust it and to know where it came from years later.
//
//   { "format": 1, "files": [ { "path": "sha256/<hex>", "name": "busybox-1.35.0.tar.bz2",
//       "sha256": "<hex>", "size": 2485192, "url": "https://busybox.net/…",
//       "license": "GPL-2.0-only", "recipes": ["busybox"] }, … ] }
//
// Paths are relative to the mirror folder and sorted; URLs never carry
// credentials.

export interface MirrorEntry {
  readonly path: string;
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  readonly url: string;
  readonly license: string;
  readonly recipes: readonly string[];
  /** For git tarballs: the commit they hold. */
  readonly commit?: string;
}

export interface MirrorIndex {
  readonly format: 1;
  readonly files: readonly MirrorEntry[];
}

export const INDEX_NAME = 'index.json';

export async function readMirrorIndex(folder: string): Promise<MirrorIndex | undefined> {
  try {
    return JSON.parse(await readFile(join(folder, INDEX_NAME), 'utf8')) as MirrorIndex;
  } catch {
    return undefined;
  }
}

export async function writeMirrorIndex(folder: string, files: readonly MirrorEntry[]): Promise<void> {
  const index: MirrorIndex = { format: 1, files: [...files].sort((a, b) => a.path.localeCompare(b.path)) };
  const path = join(folder, INDEX_NAME);
  await writeFileAtomically(path, JSON.stringify(index, null, 1) + '\n');
}

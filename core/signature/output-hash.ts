import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { treeHash } from './tree-hash.js';

// The output hash of a task: its output paths' contents, by base name, as
// one sha256. Two runs that produce the same bytes get the same hash,
// wherever their build folder is.

export function treeHashOf(paths: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(`${basename(p)} ${existsSync(p) ? treeHash(p) : 'absent'}\n`);
  return h.digest('hex');
}

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sha256File } from '../checksum.js';
import { INDEX_NAME, readMirrorIndex } from './mirror-index.js';

// `strata mirror verify`: re-hash every file the index lists and compare
// the folder with the index. Problems are values, all of them collected.

export interface MirrorProblem {
  readonly kind: 'missing' | 'corrupt' | 'extra' | 'no-index';
  readonly path: string;
  readonly detail?: string;
}

function allFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else out.push(relative(root, p));
    }
  };
  visit(root);
  return out.sort();
}

export async function verifyMirror(folder: string): Promise<{ checked: number; problems: MirrorProblem[] }> {
  const index = await readMirrorIndex(folder);
  if (!index) return { checked: 0, problems: [{ kind: 'no-index', path: INDEX_NAME, detail: 'no readable index.json: make the mirror with `strata mirror create`' }] };
  const problems: MirrorProblem[] = [];
  const listed = new Set<string>([INDEX_NAME]);
  for (const e of index.files) {
    listed.add(e.path);
    let size: number;
    try {
      size = statSync(join(folder, e.path)).size;
    } catch {
      problems.push({ kind: 'missing', path: e.path, detail: `${e.name}, from ${e.url}` });
      continue;
    }
    const actual = await sha256File(join(folder, e.path));
    if (actual !== e.sha256 || size !== e.size) problems.push({ kind: 'corrupt', path: e.path, detail: `expected sha256 ${e.sha256} (${e.size} bytes), found ${actual} (${size} bytes)` });
  }
  for (const f of allFiles(folder)) if (!listed.has(f)) problems.push({ kind: 'extra', path: f, detail: 'not in index.json' });
  return { checked: index.files.length, problems };
}

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fastGlob } from '../fs/lazy-glob.js';
import { git } from '../fetch/git/git.js';
import type { Layer } from '../metadata/layer.js';

// What a build manifest says about a layer: its name and version, its exact
// content as one sha256, and the git commit when it is a git checkout.
//
// The content hash covers every file's path, executable bit and bytes (or
// link target), sorted, leaving out `.git/` and ORIGIN_FILE, so a layer
// copied into a release folder hashes the same as its checkout. A release
// folder is not a git checkout, so `strata release` writes the checkout's
// commit into ORIGIN_FILE beside the copy, and the manifest of a rebuild
// from the release names the same commit as the original's.

export const ORIGIN_FILE = '.strata-layer-origin.json';

export interface LayerRecord {
  readonly name: string;
  readonly version: string;
  readonly contentSha256: string;
  readonly git?: { readonly commit: string; readonly dirty: boolean };
}

/** The files of a layer as the content hash sees them (relative paths, sorted). */
export function layerFiles(dir: string): string[] {
  return fastGlob()
    .sync('**', { cwd: dir, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/.git/**', '.git', ORIGIN_FILE] })
    .sort();
}

export function layerContentHash(dir: string): string {
  const h = createHash('sha256');
  for (const rel of layerFiles(dir)) {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) h.update(`L ${rel} ${readlinkSync(abs)}\0`);
    else {
      h.update(`F ${rel} ${st.mode & 0o111 ? 'x' : '-'} ${st.size}\0`);
      h.update(readFileSync(abs));
    }
  }
  return h.digest('hex');
}

async function gitOrigin(dir: string): Promise<LayerRecord['git']> {
  const origin = join(dir, ORIGIN_FILE);
  if (existsSync(origin)) return (JSON.parse(readFileSync(origin, 'utf8')) as { git?: LayerRecord['git'] }).git;
  const head = await git(['-C', dir, 'rev-parse', '--verify', '-q', 'HEAD']).catch(() => undefined);
  if (!head || head.code !== 0) return undefined;
  const status = await git(['-C', dir, 'status', '--porcelain', '--', '.']);
  return { commit: head.stdout.toString().trim(), dirty: status.stdout.length > 0 };
}

export async function layerRecord(l: Layer): Promise<LayerRecord> {
  const g = await gitOrigin(l.dir);
  return { name: l.name, version: l.version, contentSha256: layerContentHash(l.dir), ...(g ? { git: g } : {}) };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { PackageContent } from '../package/split.js';
import { sortEntries, type ManifestEntry } from './manifest.js';

// Installs packages into a manifest: every path owned by root:root, modes as
// packaged, plus the few nodes every Linux root needs before devtmpfs is
// mounted (the kernel opens /dev/console before it runs init).

const SKELETON: ManifestEntry[] = [
  { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
  { path: '/dev', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
  { path: '/dev/console', type: 'chardev', mode: 0o600, uid: 0, gid: 0, major: 5, minor: 1 },
  { path: '/dev/null', type: 'chardev', mode: 0o666, uid: 0, gid: 0, major: 1, minor: 3 },
  { path: '/proc', type: 'dir', mode: 0o555, uid: 0, gid: 0 },
  { path: '/sys', type: 'dir', mode: 0o555, uid: 0, gid: 0 },
  { path: '/tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0 },
  { path: '/root', type: 'dir', mode: 0o700, uid: 0, gid: 0 },
  { path: '/run', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
];

export interface InstalledPackage {
  readonly name: string;
  /** The folder holding `<name>/` and `<name>.json` (a recipe's packages-split). */
  readonly dir: string;
}

export function buildRootfs(packages: readonly InstalledPackage[]): ManifestEntry[] {
  const byPath = new Map<string, ManifestEntry>(SKELETON.map((e) => [e.path, e]));
  for (const p of packages) {
    const content = JSON.parse(readFileSync(join(p.dir, `${p.name}.json`), 'utf8')) as PackageContent;
    for (const e of content.entries) {
      const entry: ManifestEntry = {
        path: e.path,
        type: e.type,
        mode: e.mode,
        uid: 0,
        gid: 0,
        target: e.target,
        source: e.type === 'file' ? join(p.dir, p.name, e.path) : undefined,
        pkg: p.name,
      };
      const before = byPath.get(e.path);
      if (before && !(before.type === 'dir' && entry.type === 'dir')) {
        throw new UserError(diag('rootfs-conflict', `${e.path} is installed by both ${before.pkg ?? 'the rootfs skeleton'} and ${p.name}`, undefined, { hint: 'drop the path from one of the two packages' }));
      }
      if (!before) byPath.set(e.path, entry);
    }
  }
  return sortEntries([...byPath.values()]);
}

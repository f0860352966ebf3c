import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

// The YAML files of a folder, as fast-glob's `*.yaml` and `**/*.yaml` found
// them (the same rules, without loading a glob library on every start; see
// core/fs/lazy-glob.ts): files whose name ends in `.yaml`, names starting
// with a dot skipped (files and folders alike), symbolic links followed, a
// missing folder empty. Absolute paths, sorted.

export function yamlFiles(dir: string, o: { deep?: boolean; except?: (name: string) => boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      const kind = e.isSymbolicLink() ? statKind(p) : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : undefined;
      if (kind === 'dir' && o.deep) walk(p);
      else if (kind === 'file' && e.name.endsWith('.yaml') && !o.except?.(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** What a symbolic link points at; undefined when it points nowhere. */
function statKind(p: string): 'dir' | 'file' | undefined {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

// Lists an install tree (a recipe's ${D}) as image paths with type, mode and
// link target, sorted, without following symlinks.

export interface TreeEntry {
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink';
  readonly mode: number;
  readonly target?: string;
  readonly host: string;
}

export function walkTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = `${rel}/${name}`;
      const host = join(root, path);
      const st = lstatSync(host);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) out.push({ path, type: 'symlink', mode: 0o777, target: readlinkSync(host), host });
      else if (st.isDirectory()) {
        out.push({ path, type: 'dir', mode, host });
        visit(path);
      } else if (st.isFile()) out.push({ path, type: 'file', mode, host });
      else throw new Error(`${host}: only files, folders and symlinks may be installed (declare device nodes under 'devices:' in the recipe or the image)`);
    }
  };
  visit('');
  return out;
}

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

// The content of a file or a folder tree as one sha256: every entry's path,
// type, permission bits and content (or link target), sorted by path.
// Timestamps and owners are left out on purpose: they differ between two
// builds of the same thing and never reach the image (which sets its own).
// Used for local files in task signatures and for task outputs, so two
// builds with byte-identical output get the same hash (hash equivalence).

export function treeHash(path: string): string {
  const h = createHash('sha256');
  const visit = (abs: string, rel: string) => {
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) h.update(`L ${rel} ${readlinkSync(abs)}\0`);
    else if (st.isDirectory()) {
      h.update(`D ${rel} ${mode}\0`);
      for (const name of readdirSync(abs).sort()) visit(join(abs, name), rel ? `${rel}/${name}` : name);
    } else if (st.isFile()) {
      h.update(`F ${rel} ${mode} ${st.size}\0`);
      h.update(readFileSync(abs));
    } else h.update(`O ${rel} ${st.mode.toString(8)} ${st.rdev}\0`);
  };
  visit(path, '');
  return h.digest('hex');
}

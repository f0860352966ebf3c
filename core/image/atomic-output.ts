import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Every image lands under its final name only once complete (docs/
// architecture.md, rule 2): the writer fills a temporary name in the same
// folder, then renames it. A failed or interrupted write leaves nothing
// under the final name, and the temporary is removed.

export async function writeAtomically<T>(out: string, fill: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = join(dirname(out), `.${basename(out)}.part-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  try {
    const result = await fill(tmp);
    // A folder (an OCI layout) cannot replace an existing one by rename; a file can, atomically.
    if ((await stat(out).catch(() => undefined))?.isDirectory()) await rm(out, { recursive: true, force: true });
    await rename(tmp, out);
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

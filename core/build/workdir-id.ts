import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// A work folder carries a random id in a marker file, made with the folder.
// Stamps of tasks whose work lives only in the folder (unpack, configure,
// compile) record it, so a deleted or replaced folder makes them run again
// instead of being trusted (and failing later tasks until `strata clean`).

const MARKER = '.strata-workdir';

export async function workdirId(workdir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(workdir, MARKER), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Makes the work folder (if needed) and its marker (if missing). */
export async function makeWorkdir(workdir: string): Promise<void> {
  await mkdir(workdir, { recursive: true });
  if (!(await workdirId(workdir))) await writeFile(join(workdir, MARKER), randomUUID() + '\n', { flag: 'w' });
}

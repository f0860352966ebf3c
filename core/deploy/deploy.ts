import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically, writeFileAtomically } from '../fs/atomic-write.js';

// The deploy folder is what users take away, so every file lands there
// atomically: written or copied under a temporary name, then renamed.

export async function deployFile(from: string, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = join(dir, name);
  await writeAtomically(dest, (tmp) => copyFile(from, tmp));
  return dest;
}

export async function deployText(text: string | Uint8Array, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = join(dir, name);
  await writeFileAtomically(dest, text);
  return dest;
}

/**
 * Fills a folder under a temporary name, then puts it in place of `dir`:
 * readers see the old folder or the new one, never a half-filled one.
 */
export async function replaceDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await writeAtomically(dir, async (tmp) => {
    await mkdir(tmp, { recursive: true });
    await fill(tmp);
  });
}

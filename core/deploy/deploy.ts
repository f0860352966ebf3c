import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// The deploy folder is what users take away, so every file lands there
// atomically: written or copied under a temporary name, then renamed.

export async function deployFile(from: string, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = join(dir, name);
  const tmp = `${dest}.part-${process.pid}`;
  try {
    await copyFile(from, tmp);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
  return dest;
}

export async function deployText(text: string | Uint8Array, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = join(dir, name);
  const tmp = `${dest}.part-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, dest);
  return dest;
}

/**
 * Fills a folder under a temporary name, then puts it in place of `dir`:
 * readers see the old folder or the new one, never a half-filled one.
 */
export async function replaceDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    await rm(old, { recursive: true, force: true });
    await rename(dir, old).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

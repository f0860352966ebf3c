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

export async function deployText(text: string, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = join(dir, name);
  const tmp = `${dest}.part-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, dest);
  return dest;
}

import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../checksum.js';
import { writeAtomically } from '../../fs/atomic-write.js';

// `strata mirror import`: files each given file under `sha256/<hex>` in a
// mirror folder, so recipes find it by checksum whatever it was called where
// it came from (Debian's `busybox_1.35.0.orig.tar.bz2` is upstream's
// `busybox-1.35.0.tar.bz2` byte for byte).

export async function importIntoMirror(mirror: string, file: string): Promise<{ sha256: string; path: string }> {
  const sha256 = await sha256File(file);
  const dir = join(mirror, 'sha256');
  await mkdir(dir, { recursive: true });
  const path = join(dir, sha256);
  await writeAtomically(
    path,
    async (tmp) => {
      await copyFile(file, tmp);
      // Hash the copy, not only the original: the mirror must never hold a
      // file under a sum it does not have.
      if ((await sha256File(tmp)) !== sha256) throw new Error(`${file} changed while it was being imported`);
    },
    { durable: true },
  );
  return { sha256, path };
}

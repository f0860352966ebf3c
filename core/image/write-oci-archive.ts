import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeAtomically } from './atomic-output.js';
import { imageTree, type ImageEntry } from './image-tree.js';
import type { ImageWriteOptions, ImageWriter } from './image-writer.js';
import { tarStream } from './tar-stream.js';
import { OciWriter } from './write-oci.js';

// oci.tar: the OCI image layout of write-oci.ts as one (uncompressed) tar
// file, the "oci-archive" transport of skopeo and podman
// (`skopeo copy oci-archive:image.oci.tar …`, `podman load -i`). One file
// is what a deploy folder and a cache hold; the layout folder is the same
// bytes unpacked. The tar is ours (root-owned, 0644/0755, SOURCE_DATE_EPOCH,
// sorted), so the archive is as reproducible as the layout.

async function layoutEntries(dir: string, rel = ''): Promise<ImageEntry[]> {
  const out: ImageEntry[] = [];
  for (const d of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = `${rel}/${d.name}`;
    if (d.isDirectory()) out.push({ path, type: 'dir', mode: 0o755, uid: 0, gid: 0 }, ...(await layoutEntries(dir, path)));
    else out.push({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, source: join(dir, path) });
  }
  return out;
}

export class OciArchiveWriter implements ImageWriter {
  readonly type = 'oci.tar';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options: ImageWriteOptions = {}): Promise<void> {
    const scratch = await mkdtemp(join(dirname(out), '.oci-'));
    try {
      const layout = join(scratch, 'layout');
      await new OciWriter().write(entries, layout, sourceDateEpoch, options);
      const tree = imageTree(await layoutEntries(layout), sourceDateEpoch);
      await writeAtomically(out, (tmp) => pipeline(Readable.from(tarStream(tree, { withRoot: false })), createWriteStream(tmp)));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

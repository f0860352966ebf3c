import type { ImageEntry } from './image-tree.js';
import type { ImageWriter, ImageWriteOptions } from './image-writer.js';

// An image writer registered by its type and loaded on its first write.
// Which writers exist is known at start (the composition root lists them,
// and a build's plan checks an image's types against them), but their code
// (file systems, FAT, the disk, tar and OCI) is needed only by an image task
// that runs: a no-op build or `strata fetch` does not load it (npm run
// bench:startup). A writer with a format of its own (image-writer.ts) is
// registered with it too, since the image task's inputs read it before any
// write.

export function lazyWriter(type: string, load: () => Promise<ImageWriter>, format?: string): ImageWriter {
  let loaded: Promise<ImageWriter> | undefined;
  const writer = async (): Promise<ImageWriter> => {
    const w = await load();
    // The registered type is the writer's own: a mismatch is a wrong line in the composition root.
    if (w.type !== type) throw new Error(`image writer registered as '${type}' writes '${w.type}'`);
    if (w.format !== format) throw new Error(`image writer '${type}' registered with format '${format ?? 'none'}' writes '${w.format ?? 'none'}'`);
    return w;
  };
  return {
    type,
    ...(format ? { format } : {}),
    write: async (entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options?: ImageWriteOptions) =>
      (await (loaded ??= writer())).write(entries, out, sourceDateEpoch, options),
  };
}

import type { ManifestEntry } from '../rootfs/manifest.js';

// One interface for every image format; writers are registered as a plugin
// list in the composition root and chosen by the image's `types`.
export interface ImageWriter {
  readonly type: string;
  /** Writes the image to `out` atomically (temp file, then rename). */
  write(entries: readonly ManifestEntry[], out: string, sourceDateEpoch: number): Promise<void>;
}

export const IMAGE_WRITERS = Symbol.for('strata.ImageWriter');

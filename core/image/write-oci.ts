import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants } from 'node:zlib';
import { AFTER_GZIP, gzipStream } from './gzip-file.js';
import { writeAtomically } from './atomic-output.js';
import { ImageTreeError, imageTree, type ImageEntry } from './image-tree.js';
import type { ImageWriteOptions, ImageWriter } from './image-writer.js';
import { tarStream } from './tar-stream.js';

// An OCI image layout (opencontainers/image-spec v1.0, image-layout.md): a
// folder with `oci-layout`, `index.json` and content-addressed blobs under
// `blobs/sha256/`: one gzip'd tar layer (our tar stream), the image config
// (config.md: architecture, os, rootfs.diff_ids = sha256 of the *uncompressed*
// layer) and the manifest (manifest.md). Every JSON document is written with
// a fixed key order and `created` is SOURCE_DATE_EPOCH, so the digests
// depend only on the tree. Readable by skopeo (`oci:DIR:TAG`), umoci,
// podman and containerd.

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** Strata's machine arch names to the GOARCH values OCI configs use (image-spec config.md). */
const GOARCH: Record<string, string> = {
  aarch64: 'arm64',
  arm64: 'arm64',
  x86_64: 'amd64',
  amd64: 'amd64',
  riscv64: 'riscv64',
  arm: 'arm',
  armv7: 'arm',
  i686: '386',
  '386': '386',
};

export function ociArch(arch: string | undefined): string {
  const goarch = arch && GOARCH[arch];
  if (!goarch) throw new ImageTreeError(`an OCI image needs its target architecture (one of ${Object.keys(GOARCH).join(', ')}), got ${arch ?? 'none'}`);
  return goarch;
}

interface Blob {
  readonly digest: string;
  readonly size: number;
}

function counting(hash: ReturnType<typeof createHash>, count: { n: number }): Transform {
  return new Transform({
    ...AFTER_GZIP,
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count.n += chunk.length;
      done(null, chunk);
    },
  });
}

async function putJson(blobs: string, value: unknown): Promise<Blob> {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(blobs, hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

export class OciWriter implements ImageWriter {
  readonly type = 'oci';
  async write(entries: readonly ImageEntry[], out: string, sourceDateEpoch: number, options: ImageWriteOptions = {}): Promise<void> {
    const tree = imageTree(entries, sourceDateEpoch);
    const architecture = ociArch(options.arch);
    await writeAtomically(out, async (dir) => {
      const blobs = join(dir, 'blobs', 'sha256');
      await mkdir(blobs, { recursive: true });
      const [tarHash, gzHash] = [createHash('sha256'), createHash('sha256')];
      const [tarCount, gzCount] = [{ n: 0 }, { n: 0 }];
      const layerTmp = join(blobs, 'layer.part');
      await pipeline(
        Readable.from(tarStream(tree)),
        counting(tarHash, tarCount),
        gzipStream(constants.Z_DEFAULT_COMPRESSION),
        counting(gzHash, gzCount),
        createWriteStream(layerTmp, AFTER_GZIP),
      );
      const layer: Blob = { digest: `sha256:${gzHash.digest('hex')}`, size: gzCount.n };
      await rename(layerTmp, join(blobs, layer.digest.slice(7)));
      const created = new Date(sourceDateEpoch * 1000).toISOString().replace('.000Z', 'Z');
      const config = await putJson(blobs, {
        created,
        architecture,
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [`sha256:${tarHash.digest('hex')}`] },
        history: [{ created, created_by: 'strata image writer (oci)' }],
      });
      const manifest = await putJson(blobs, {
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: MEDIA.config, ...config },
        layers: [{ mediaType: MEDIA.layer, ...layer }],
      });
      const ref = options.label ?? 'latest';
      await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      await writeFile(
        join(dir, 'index.json'),
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.index,
          manifests: [{ mediaType: MEDIA.manifest, ...manifest, annotations: { 'org.opencontainers.image.ref.name': ref } }],
        }),
      );
    });
  }
}

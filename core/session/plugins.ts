import type { Fetcher } from '../fetch/fetcher.js';
import { GitFetcher } from '../fetch/git/git-fetcher.js';
import { DebianArchiveFetcher } from '../fetch/transport/debian.js';
import { FileFetcher } from '../fetch/transport/file.js';
import { HttpFetcher } from '../fetch/transport/http.js';
import type { ImageWriter } from '../image/image-writer.js';
import { DiskWriter } from '../image/disk/write-disk.js';
import { CpioGzWriter } from '../image/write-cpio-gz.js';
import { Ext4Writer } from '../image/write-ext4.js';
import { OciWriter } from '../image/write-oci.js';
import { OciArchiveWriter } from '../image/write-oci-archive.js';
import { SquashfsWriter } from '../image/write-squashfs.js';
import { TarGzWriter, TarZstWriter } from '../image/write-tar.js';
import { VfatWriter } from '../image/write-vfat.js';

// The one place that knows which plugins exist. Adding a fetcher or an
// image format is one line here; domain code receives these plain lists.
// (These were inversify bindings; docs/architecture.md says why they are a
// function now.)

export interface Plugins {
  /** Fetchers: each declares the URL schemes it serves (core/fetch/registry.ts). */
  readonly fetchers: readonly Fetcher[];
  /** Image writers: each declares the image type it writes. */
  readonly writers: readonly ImageWriter[];
}

export function plugins(): Plugins {
  return {
    fetchers: [new HttpFetcher(), new DebianArchiveFetcher(), new FileFetcher(), new GitFetcher()],
    writers: [
      new CpioGzWriter(),
      new TarGzWriter(),
      new TarZstWriter(),
      new Ext4Writer(),
      new VfatWriter(),
      new SquashfsWriter(),
      new OciWriter(),
      new OciArchiveWriter(),
      new DiskWriter(),
    ],
  };
}

import 'reflect-metadata';
import { Container } from 'inversify';
import { FETCHERS, type Fetcher } from '../fetch/fetcher.js';
import { GitFetcher } from '../fetch/git/git-fetcher.js';
import { DebianArchiveFetcher } from '../fetch/transport/debian.js';
import { FileFetcher } from '../fetch/transport/file.js';
import { HttpFetcher } from '../fetch/transport/http.js';
import { IMAGE_WRITERS, type ImageWriter } from '../image/image-writer.js';
import { DiskWriter } from '../image/disk/write-disk.js';
import { CpioGzWriter } from '../image/write-cpio-gz.js';
import { Ext4Writer } from '../image/write-ext4.js';
import { OciWriter } from '../image/write-oci.js';
import { OciArchiveWriter } from '../image/write-oci-archive.js';
import { SquashfsWriter } from '../image/write-squashfs.js';
import { TarGzWriter, TarZstWriter } from '../image/write-tar.js';
import { VfatWriter } from '../image/write-vfat.js';

// The composition root: the one place that knows which plugins exist.
// Adding a fetcher or an image format is one line here; domain code receives
// plain lists and never sees the container.

export function createContainer(): Container {
  const c = new Container();
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new HttpFetcher());
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new DebianArchiveFetcher());
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new FileFetcher());
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new GitFetcher());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new CpioGzWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new TarGzWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new TarZstWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new Ext4Writer());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new VfatWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new SquashfsWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new OciWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new OciArchiveWriter());
  c.bind<ImageWriter>(IMAGE_WRITERS).toDynamicValue(() => new DiskWriter());
  return c;
}

export interface Plugins {
  readonly fetchers: readonly Fetcher[];
  readonly writers: readonly ImageWriter[];
}

export function plugins(c: Container = createContainer()): Plugins {
  return { fetchers: c.getAll<Fetcher>(FETCHERS), writers: c.getAll<ImageWriter>(IMAGE_WRITERS) };
}

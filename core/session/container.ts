import { Container } from 'inversify';
import type { BuildContext, ImageRecords } from '../build/context.js';
import { StampStore } from '../build/stamps.js';
import { projectCache } from '../cache/project-cache.js';
import type { BuildLayout } from '../config/build-layout.js';
import type { Fetcher } from '../fetch/fetcher.js';
import { GitFetcher } from '../fetch/git/git-fetcher.js';
import type { SourceFetcher } from '../fetch/orchestrator.js';
import { sourceFetcher } from '../fetch/phase.js';
import { DebianArchiveFetcher } from '../fetch/transport/debian.js';
import { FileFetcher } from '../fetch/transport/file.js';
import { HttpFetcher } from '../fetch/transport/http.js';
import type { ImageWriter } from '../image/image-writer.js';
import { lazyWriter } from '../image/lazy-writer.js';
import { SQUASHFS_FORMAT } from '../image/squashfs/format.js';
import { imageRecords } from '../release/image-records.js';
import type { Configuration } from '../resolve/configuration.js';
import type { TaskCache } from '../scheduler/task-cache.js';

// The composition root: the one inversify container that knows which
// plugins exist and how a build's services are made from one another.
// Adding a fetcher or an image writer is one line below. Domain code
// never sees the container: it receives plain values (lists of plugins, a
// build context). Bindings are factories, not decorated classes, so the
// compiler checks every constructor call and no reflect-metadata is needed.
// This module is loaded only by commands that fetch or build
// (session.services()), so `strata --help` or `strata env` never pay for it.

export const FETCHERS = Symbol('fetchers');
export const IMAGE_WRITERS = Symbol('image writers');
export const CONFIGURATION = Symbol('configuration');
export const LAYOUT = Symbol('build layout');
export const SOURCE_FETCHER = Symbol('source fetcher');
export const BUILD_CONTEXT = Symbol('build context');
export const STAMPS = Symbol('stamps');
export const TASK_CACHE = Symbol('task cache');
export const IMAGE_RECORDS = Symbol('image records');

/** The plugins alone: what a test or a benchmark needs without a project. */
export function pluginContainer(): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new HttpFetcher());
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new DebianArchiveFetcher());
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new FileFetcher());
  c.bind<Fetcher>(FETCHERS).toDynamicValue(() => new GitFetcher());
  // Writers by type, each loaded on its first write (lazy-writer.ts).
  const writer = (type: string, load: () => Promise<ImageWriter>, format?: string) =>
    c.bind<ImageWriter>(IMAGE_WRITERS).toConstantValue(lazyWriter(type, load, format));
  writer('cpio.gz', async () => new (await import('../image/write-cpio-gz.js')).CpioGzWriter());
  writer('tar.gz', async () => new (await import('../image/write-tar.js')).TarGzWriter());
  writer('tar.zst', async () => new (await import('../image/write-tar.js')).TarZstWriter());
  writer('ext4', async () => new (await import('../image/write-ext4.js')).Ext4Writer());
  writer('vfat', async () => new (await import('../image/write-vfat.js')).VfatWriter());
  writer('squashfs', async () => new (await import('../image/write-squashfs.js')).SquashfsWriter(), SQUASHFS_FORMAT);
  writer('oci', async () => new (await import('../image/write-oci.js')).OciWriter());
  writer('oci.tar', async () => new (await import('../image/write-oci-archive.js')).OciArchiveWriter());
  writer('disk.img', async () => new (await import('../image/disk/write-disk.js')).DiskWriter());
  // The build manifest and SBOM the image task writes: release's, handed down to build.
  c.bind<ImageRecords>(IMAGE_RECORDS).toConstantValue(imageRecords);
  return c;
}

/** A build's services for one configuration and layout, each made once, on first use. */
export function buildContainer(cfg: Configuration, layout: BuildLayout): Container {
  const c = pluginContainer();
  c.bind<Configuration>(CONFIGURATION).toConstantValue(cfg);
  c.bind<BuildLayout>(LAYOUT).toConstantValue(layout);
  c.bind<SourceFetcher>(SOURCE_FETCHER).toDynamicValue((ctx) => sourceFetcher(cfg.project, ctx.getAll<Fetcher>(FETCHERS)));
  c.bind<BuildContext>(BUILD_CONTEXT).toDynamicValue((ctx) => ({
    cfg,
    layout,
    fetcher: ctx.get<SourceFetcher>(SOURCE_FETCHER),
    writers: ctx.getAll<ImageWriter>(IMAGE_WRITERS),
    records: ctx.get<ImageRecords>(IMAGE_RECORDS),
  }));
  c.bind<StampStore>(STAMPS).toDynamicValue(() => new StampStore(layout.stampsDir));
  // A project without a cache has none: null, since a binding cannot hold undefined.
  c.bind<TaskCache | null>(TASK_CACHE).toDynamicValue(() => projectCache(cfg.project) ?? null);
  return c;
}

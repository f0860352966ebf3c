import { Container } from 'inversify';
import type { BuildContext } from '../build/context.js';
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
import { DiskWriter } from '../image/disk/write-disk.js';
import type { ImageWriter } from '../image/image-writer.js';
import { CpioGzWriter } from '../image/write-cpio-gz.js';
import { Ext4Writer } from '../image/write-ext4.js';
import { OciArchiveWriter } from '../image/write-oci-archive.js';
import { OciWriter } from '../image/write-oci.js';
import { SquashfsWriter } from '../image/write-squashfs.js';
import { TarGzWriter, TarZstWriter } from '../image/write-tar.js';
import { VfatWriter } from '../image/write-vfat.js';
import type { Configuration } from '../resolve/configuration.js';
import type { TaskCache } from '../scheduler/task-cache.js';

// The composition root: the one inversify container that knows which
// plugins exist and how a build's services are made from one another.
// Adding a fetcher or an image writer is one `bind` line below. Domain code
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

/** The plugins alone: what a test or a benchmark needs without a project. */
export function pluginContainer(): Container {
  const c = new Container({ defaultScope: 'Singleton' });
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
  }));
  c.bind<StampStore>(STAMPS).toDynamicValue(() => new StampStore(layout.stampsDir));
  // A project without a cache has none: null, since a binding cannot hold undefined.
  c.bind<TaskCache | null>(TASK_CACHE).toDynamicValue(() => projectCache(cfg.project) ?? null);
  return c;
}

import 'reflect-metadata';
import { Container } from 'inversify';
import { FETCHERS, type Fetcher } from '../fetch/fetcher.js';
import { GitFetcher } from '../fetch/git/git-fetcher.js';
import { DebianArchiveFetcher } from '../fetch/transport/debian.js';
import { FileFetcher } from '../fetch/transport/file.js';
import { HttpFetcher } from '../fetch/transport/http.js';
import { IMAGE_WRITERS, type ImageWriter } from '../image/image-writer.js';
import { CpioGzWriter } from '../image/write-cpio-gz.js';

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
  return c;
}

export interface Plugins {
  readonly fetchers: readonly Fetcher[];
  readonly writers: readonly ImageWriter[];
}

export function plugins(c: Container = createContainer()): Plugins {
  return { fetchers: c.getAll<Fetcher>(FETCHERS), writers: c.getAll<ImageWriter>(IMAGE_WRITERS) };
}

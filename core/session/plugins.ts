import type { Fetcher } from '../fetch/fetcher.js';
import type { ImageWriter } from '../image/image-writer.js';
import { FETCHERS, IMAGE_WRITERS, pluginContainer } from './container.js';

// Every registered plugin as plain lists, read from the composition root
// (container.ts), for the build services and for tests and benchmarks that
// need the real plugins without a project.

export interface Plugins {
  /** Fetchers: each declares the URL schemes it serves (core/fetch/registry.ts). */
  readonly fetchers: readonly Fetcher[];
  /** Image writers: each declares the image type it writes. */
  readonly writers: readonly ImageWriter[];
}

export function plugins(): Plugins {
  const c = pluginContainer();
  return { fetchers: c.getAll<Fetcher>(FETCHERS), writers: c.getAll<ImageWriter>(IMAGE_WRITERS) };
}

import { createRequire } from 'node:module';
import type FastGlob from 'fast-glob';

// fast-glob, loaded on first use. Loading it costs more than most commands'
// own work (about 80 ms of CPU: micromatch, picomatch, braces and the
// walkers, npm run bench:startup), and only a few places need real globs:
// layer masks, and release's walks of whole layers and folders. Finding
// the YAML files of a layer is a plain directory walk (core/metadata/
// yaml-files.ts). A CommonJS require keeps the callers synchronous.

let loaded: typeof FastGlob | undefined;

export function fastGlob(): typeof FastGlob {
  loaded ??= createRequire(import.meta.url)('fast-glob') as typeof FastGlob;
  return loaded;
}

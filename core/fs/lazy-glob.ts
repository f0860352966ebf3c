import type FastGlob from 'fast-glob';
import { lazyRequire } from './lazy-require.js';

// fast-glob, loaded on first use (lazy-require.ts). Loading it costs more
// than most commands' own work (about 80 ms of CPU: micromatch, picomatch,
// braces and the walkers), and only a few places need real globs: layer
// masks, and release's walks of whole layers and folders. Finding the YAML
// files of a layer is a plain directory walk (core/metadata/yaml-files.ts).

export const fastGlob: () => typeof FastGlob = lazyRequire<typeof FastGlob>('fast-glob');

import { STRATA_ROOT } from '../config/project.js';
import type { Configuration } from '../resolve/configuration.js';
import { pathRoots, type PathRoots } from './normalize.js';

/** The absolute roots of this build that signatures name instead: build folder, downloads, layers, Strata itself. */
export function buildRoots(cfg: Configuration): PathRoots {
  const p = cfg.project;
  return pathRoots({
    TOPDIR: p.buildDir,
    DL_DIR: p.downloads,
    STRATA_ROOT,
    ...Object.fromEntries(cfg.catalog.layers.map((l) => [`LAYERDIR_${l.name}`, l.dir])),
  });
}

import type { BuildContext, ImageRecords } from './context.js';

// The records the image task writes beside an image: the build manifest and
// the SPDX SBOM, and warnings for licences the SBOM cannot carry as written.
// They are core/release's, which sits above build (it reads stamps and runs
// builds again for `strata reproduce`), so the image task receives them
// through this seam, bound in the composition root (core/session/container.ts),
// the way the scheduler receives its tasks and stamps, and build never
// imports release. The interface is `ImageRecords` in context.ts.

/** The files the records are written to: the image task deploys (and caches) them. */
export const recordNames = (base: string): string[] => [`${base}.manifest.json`, `${base}.spdx.json`];

/** The context's records; a context made without them (one that only lists outputs) running an image task is a bug. */
export function imageRecordsOf(ctx: BuildContext): ImageRecords {
  if (!ctx.records) throw new Error('bug: an image task ran with a build context that has no image records (core/session/container.ts binds them)');
  return ctx.records;
}

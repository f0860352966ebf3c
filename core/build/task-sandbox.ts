import { recipeSources, type Source } from '../fetch/source.js';
import { sandboxUid, type SandboxSpec } from '../exec/sandbox.js';
import type { Recipe } from '../resolve/recipe.js';
import type { BuildContext } from './context.js';

// What one recipe's shell tasks see of the host (core/exec/sandbox.ts does
// the mounting): its work folder writable; inside it the sysroot read-only,
// since other recipes' installs are copied there; each of its own sources
// read-only, by exact path, so neither the rest of the download folder nor
// the layer folders around a local file are visible.

/** Where a source's bytes are: a local file in its layer, or the verified file in the download folder. */
export function sourcePath(s: Source, ctx: BuildContext): string {
  return s.kind === 'local' ? s.path : ctx.fetcher.dir.finalPath(s.name);
}

let uid: number | undefined;

export function taskSandbox(r: Recipe, ctx: BuildContext): SandboxSpec {
  uid ??= sandboxUid();
  return {
    writable: [r.data.get('WORKDIR')],
    readOnly: [r.data.get('SYSROOT'), ...recipeSources(r).map((s) => sourcePath(s, ctx))],
    uid,
  };
}

import { existsSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { Recipe } from '../resolve/recipe.js';

// Where a `file://` source may come from. A recipe names files of its own
// layer (BitBake's FILESPATH); reaching anywhere else on the host would let a
// layer copy /etc/shadow or a user's keys into a build, its outputs, the
// cache and a release. So the file must lie, after every symlink is
// resolved, inside the layer of the recipe or of one of its appends, or
// inside the project folder, or inside a folder the project allows with
// `file-source-dirs:` in strata.yaml (core/fetch/README.md).

const within = (path: string, root: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The path a `file://` source names, found along the recipe's files path and checked to lie inside its allowed folders. */
export function localSourcePath(r: Recipe, rel: string, loc: SourceLocation): string {
  const tried = r.filesPath.map((d) => resolve(d, rel));
  const path = tried.find((p) => existsSync(p));
  if (!path)
    throw new UserError(diag('source-file-missing', `${r.name}: local source '${rel}' not found`, loc, { hint: `looked in: ${r.filesPath.join(', ')}` }));
  const target = real(path) ?? path;
  const roots = r.fileSourceRoots.map((d) => real(d) ?? resolve(d));
  if (roots.some((root) => within(target, root))) return path;
  const via = target === path ? '' : ` (through a symlink: ${path})`;
  throw new UserError(
    diag('source-file-outside', `${r.name}: local source '${rel}' is ${target}${via}, outside the recipe's layer and the project`, loc, {
      hint: `a file:// source may come from ${roots.join(', ')}; to allow another folder, list it under \`file-source-dirs:\` in strata.yaml`,
    }),
  );
}

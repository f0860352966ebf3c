import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { asSeq, asString } from '../metadata/schema.js';
import { parseYamlFile, yamlPackage } from '../metadata/yaml.js';
import { deleteTopKey } from '../metadata/yaml-edit.js';

// The `include:` fragments of a project file (strata.yaml), for the project
// files that `strata reproduce` and `strata release` write in other folders.
// A project file finds a fragment `x` beside itself (x.inc.yaml, then
// x.yaml; a name ending in .yaml as written; an absolute name where it
// says), never in a layer's include/ folder (core/metadata/include.ts reads
// project files with no search folders); a fragment finds its own fragments
// beside itself. Two things break when the project file is written
// elsewhere with its include: list unchanged:
//
//   - relative names find nothing in the new folder;
//   - a fragment's keys are merged into the file (lists and maps joined), so
//     a fragment's `layers:`, `mirrors:` or `remote-cache:` would come back
//     on top of the settings the writer replaced (a release's own layers and
//     mirror, reproduce's "no shared cache").
//
// So every fragment is written into the new folder, without the keys the new
// project file replaces or drops, and every include: name is pointed at those
// copies. Fragments inside the project folder keep their place relative to it
// (and their names); one outside it, or named by an absolute path, goes into
// `strata-include/`. A release is then whole; a reproduce build reads only its
// own folder and the layers.

const OUTSIDE = 'strata-include';

interface Fragment {
  readonly file: string;
  /** Where its copy goes, relative to the new project folder. */
  readonly rel: string;
}

interface IncludeItem {
  readonly name: string;
  readonly loc: SourceLocation;
}

function includeItems(file: string): IncludeItem[] {
  const tree = parseYamlFile(file);
  const entry = tree.kind === 'map' ? tree.entries.find((e) => e.key === 'include') : undefined;
  return entry ? asSeq(entry.value, 'include').map((v) => ({ name: asString(v, 'include'), loc: v.loc })) : [];
}

/** The file a fragment name finds from `from`, as core/metadata/include.ts looks it up for project files. */
function fragmentFile(item: IncludeItem, from: string): string {
  const base = isAbsolute(item.name) ? item.name : resolve(dirname(from), item.name);
  const tried = item.name.endsWith('.yaml') ? [base] : [`${base}.inc.yaml`, `${base}.yaml`];
  const hit = tried.find((p) => existsSync(p));
  if (!hit) throw new UserError(diag('include-missing', `included file '${item.name}' not found`, item.loc, { hint: `looked for: ${tried.join(', ')}` }));
  return hit;
}

/** The include: names of `file`'s copy (at `fromRel`), pointing at the fragments' copies: kept as written where that already finds the copy. */
function namesFor(file: string, fromRel: string, places: ReadonlyMap<string, Fragment>): string[] {
  return includeItems(file).map((item) => {
    const to = places.get(fragmentFile(item, file))!;
    const kept = !isAbsolute(item.name) && !to.rel.startsWith(`${OUTSIDE}/`) && !fromRel.startsWith(`${OUTSIDE}/`);
    return kept ? item.name : relative(dirname(join('/', fromRel)), join('/', to.rel));
  });
}

/**
 * Writes the fragments of the project file `projectFile` (folder `projectDir`) into `dir`, for a project file written
 * there whose own settings replace or drop the keys `replaced`: each copy without those keys, its include: names pointed
 * at the other copies. Returns the include: list for the new project file (undefined when it has none) and the copies.
 */
export function writeFragments(
  projectFile: string | undefined,
  projectDir: string,
  dir: string,
  replaced: readonly string[],
): { readonly include?: string[]; readonly written: string[] } {
  if (!projectFile || !existsSync(projectFile)) return { written: [] };
  const places = new Map<string, Fragment>([[projectFile, { file: projectFile, rel: 'strata.yaml' }]]);
  const taken = new Set<string>();
  const walk = (file: string): void => {
    for (const item of includeItems(file)) {
      const fragment = fragmentFile(item, file);
      if (places.has(fragment)) continue;
      const inside = relative(projectDir, fragment);
      const keepsPlace = !isAbsolute(item.name) && !inside.startsWith('..') && !isAbsolute(inside);
      let rel = keepsPlace ? inside : `${OUTSIDE}/${basename(fragment)}`;
      for (let n = 2; !keepsPlace && taken.has(rel); n++) rel = `${OUTSIDE}/${n}-${basename(fragment)}`;
      taken.add(rel);
      places.set(fragment, { file: fragment, rel });
      walk(fragment);
    }
  };
  walk(projectFile);
  const written: string[] = [];
  for (const { file, rel } of places.values()) {
    if (file === projectFile) continue;
    const doc = yamlPackage().parseDocument(readFileSync(file, 'utf8'));
    const removed = replaced.filter((key) => key !== 'include' && doc.has(key));
    for (const key of removed) deleteTopKey(doc, key);
    const note = removed.length ? ` ${removed.join(', ')}: left out of this copy, set by the strata.yaml beside it` : undefined;
    if (note) doc.commentBefore = doc.commentBefore ? `${note}\n${doc.commentBefore}` : note;
    if (doc.has('include')) doc.set('include', namesFor(file, rel, places));
    const to = join(dir, rel);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, String(doc));
    written.push(to);
  }
  const include = places.size > 1 ? namesFor(projectFile, 'strata.yaml', places) : undefined;
  return { include, written };
}

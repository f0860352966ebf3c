import type { PreferredVersion } from '../config/vars.js';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import type { RecipeFile } from '../metadata/recipe-file.js';
import { compareVersions, versionMatches } from '../model/version.js';

// Which of a recipe's files to build. With a preferred version (from the
// project, else the distro), the highest version matching it; otherwise the
// highest version. The same version in two layers: the higher-priority layer
// wins; at equal priority it is ambiguous and an error naming both files.

export function chooseRecipeFile(files: readonly RecipeFile[], preferred?: PreferredVersion): RecipeFile {
  const candidates = preferred ? files.filter((f) => versionMatches(f.version, preferred.pattern)) : [...files];
  if (!candidates.length) {
    const versions = [...new Set(files.map((f) => f.version))].sort(compareVersions);
    throw new UserError(
      diag(
        'preferred-version-missing',
        `preferred version '${preferred!.pattern}' of ${files[0].name} matches none of its versions: ${versions.join(', ')}`,
        preferred!.loc,
        {
          related: files.map((f) => ({ message: `${f.name} ${f.version}`, location: f.loc })),
          hint: `name one of ${versions.join(', ')} (% or * match anything), or add a recipe for that version`,
        },
      ),
    );
  }
  const sorted = candidates.sort((a, b) => compareVersions(b.version, a.version) || b.layer.priority - a.layer.priority);
  const [best, next] = sorted;
  if (next && compareVersions(best.version, next.version) === 0 && best.layer.priority === next.layer.priority) {
    throw new UserError(
      diag('recipe-ambiguous', `${best.name} ${best.version} is defined twice, in layers of equal priority`, best.loc, {
        related: [{ message: 'the other definition', location: next.loc }],
        hint: 'remove one, mask one (masks: in layer.yaml or strata.yaml), or give the layers different priorities',
      }),
    );
  }
  return best;
}
